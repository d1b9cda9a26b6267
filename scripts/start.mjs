// `npm start`: runs the demo (identity provider, API and sample app).
// The demo arrives with the sample app (see CHANGELOG); until then this says so.
console.log('ngx-oidc: the demo comes with the sample app, which is not built yet.');
console.log('Meanwhile: `npm test` runs the test suite, `npm run build` builds the library into dist/ngx-oidc.');
