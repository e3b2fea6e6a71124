import { parseModel, ModelError } from './src/model';
function t(kind: any, v: unknown) { try { console.log(JSON.stringify(parseModel(kind, v, `x.${kind}.json`))); } catch (e) { if (e instanceof ModelError) console.log(e.message, JSON.stringify(e.issues.map(i => i.kind))); else throw e; } }
t('appup', { vsn: '2', up: { '1.0.0': [{op:'suspend', modules:['a', {module:'b', timeout:0}, 3, {module: 'c'}, {module:'d', timeout: 5}]}] }, down: {} });
t('appup', { vsn: '2', up: { '1.0.0': [{op:'suspend', modules:['a', {module:'d', timeout: 5}]}] }, down: {} });
