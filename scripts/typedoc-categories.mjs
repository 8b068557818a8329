// A typedoc plugin (typedoc.json "plugin"): every exported name gets the `@category` of the folder
// it is defined in, unless its comment names one, so that the API reference's sidebar groups the
// root's exports by area (Tensors, Autodiff, Ops, Losses, …) instead of one alphabetical list,
// and a new export is grouped without anyone remembering a tag. One rule, the table below: the
// first pattern that matches the file (or, for errors, the name) wins. typedoc.json's
// categoryOrder lists the categories in the order a user meets the areas.
import { Comment, CommentTag, Converter, ReflectionKind } from 'typedoc';

/** [what matches, category]: a RegExp on the source path, or 'error' for the typed errors. */
const RULES = [
  ['error', 'Errors'],
  [/\/src\/tensor\/extras\.ts$/, 'Optional packages'],
  [/\/src\/tensor\//, 'Tensors'],
  [/\/src\/tape\//, 'Autodiff'],
  [/\/src\/ops\//, 'Ops'],
  [/\/src\/(losses\/fast-margin-head\.ts|backend\/fast\/)/, 'Fused head'],
  [/\/src\/(losses\/define-margin\.ts|margins\/)/, 'Margins'],
  [/\/src\/losses\//, 'Losses'],
  [/\/src\/backend\//, 'Backends'],
  [/\/src\/nn\//, 'Modules'],
  [/\/src\/optim\//, 'Optimizers'],
  [/\/src\/(train|cli)\//, 'Training'],
  [/\/src\/eval\//, 'Evaluation'],
  [/\/src\/check\//, 'Checking'],
  [/\/src\/data\//, 'Data'],
  [/\/src\/report\//, 'Figures and reports'],
];

function categoryOf(reflection) {
  const file = reflection.sources?.[0]?.fullFileName ?? '';
  for (const [match, category] of RULES) {
    if (match === 'error' ? /Error$/.test(reflection.name) && reflection.kindOf(ReflectionKind.Class) : match.test(file)) return category;
  }
  return undefined;
}

function hasCategory(reflection) {
  const comments = [reflection.comment, ...(reflection.signatures ?? []).map((s) => s.comment)];
  return comments.some((c) => c?.blockTags.some((t) => t.tag === '@category'));
}

/** Typedoc calls this when it loads the plugin. */
export function load(app) {
  // Before the CategoryPlugin sorts reflections into categories (it runs at RESOLVE_END, priority −200).
  app.converter.on(
    Converter.EVENT_RESOLVE_END,
    (context) => {
      for (const reflection of Object.values(context.project.reflections)) {
        if (!reflection.parent?.kindOf(ReflectionKind.Module | ReflectionKind.Project)) continue;
        if (reflection.kindOf(ReflectionKind.Module) || hasCategory(reflection)) continue;
        const category = categoryOf(reflection);
        if (category === undefined) continue;
        reflection.comment ??= new Comment();
        reflection.comment.blockTags.push(new CommentTag('@category', [{ kind: 'text', text: category }]));
      }
    },
    100,
  );
}
