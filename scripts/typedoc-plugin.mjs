// TypeDoc plugin for docs/api (see typedoc.json): names the modules after
// their import paths (listed in that order), and leaves out the `ɵ` exports,
// which exist only for the secondary entry points and are not supported API.
import { Converter, ReflectionKind, RendererEvent } from 'typedoc';

/** The module names TypeDoc derives from the entry points, and the import paths users know. */
const MODULE_NAMES = { 'src/public-api': 'ngx-oidc', 'dpop/src': 'ngx-oidc/dpop', 'testing/src': 'ngx-oidc/testing' };
const ORDER = Object.values(MODULE_NAMES);
const byImportPath = (a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name);

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const { project } = context;
    for (const module of project.getChildrenByKind(ReflectionKind.Module)) {
      const name = MODULE_NAMES[module.name];
      if (name === undefined) throw new Error(`typedoc-plugin: unexpected module "${module.name}": update MODULE_NAMES`);
      module.name = name;
    }
    for (const reflection of Object.values(project.reflections)) {
      if (reflection.name.startsWith('ɵ') && reflection.kindOf(ReflectionKind.SomeExport)) project.removeReflection(reflection);
    }
  });
  // After TypeDoc's own sorting and grouping, just before the pages are written.
  app.renderer.on(RendererEvent.BEGIN, ({ project }) => {
    project.children?.sort(byImportPath);
    for (const group of project.groups ?? []) group.children.sort(byImportPath);
  });
}
