/**
 * The handler's services, imported for their side effect of registering with boot (see
 * extensions.ts).
 */
import '../release-handler/service';
