/**
 * The handler's services, imported for their side effect of registering with boot (see
 * extensions.ts). The release handler adds itself here.
 */
export {};
