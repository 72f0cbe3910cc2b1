//! Reading the crate as tidy sees it: the module tree from src/lib.rs, and every path into the
//! crate that a file names (in a `use`, in code, in a macro's or attribute's tokens), resolved
//! to the module it names. `#[cfg(test)]` items and modules are not read; comments and string
//! literals are not code to syn, so they never count.

use proc_macro2::{TokenStream, TokenTree};
use std::path::{Path, PathBuf};
use syn::visit::{self, Visit};

/// One module's source file and its path in the crate (`["store", "sqlite", "apply"]`).
pub struct Module {
    pub file: PathBuf,
    pub path: Vec<String>,
}

/// A path into the crate that a file names, resolved (`crate::`, `super::`, `self::` and the
/// root's children made absolute), and the line it stands on.
#[derive(Debug, PartialEq)]
pub struct Named {
    pub path: Vec<String>,
    pub line: usize,
}

pub fn parse(file: &Path) -> syn::File {
    let text = std::fs::read_to_string(file).expect("read source");
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// Every module of the crate rooted at `lib` that is compiled outside tests, with its file;
/// and the files of the `#[cfg(test)]` modules, which tidy leaves out.
pub fn modules(lib: &Path) -> (Vec<Module>, Vec<PathBuf>) {
    let (mut found, mut tests) = (Vec::new(), Vec::new());
    let dir = lib.parent().expect("src").to_path_buf();
    let items = parse(lib).items;
    walk(&items, &[], &dir, &mut found, &mut tests);
    found.push(Module {
        file: lib.to_path_buf(),
        path: Vec::new(),
    });
    (found, tests)
}

/// The `mod NAME;` items of one module (its children live in `dir`), followed into their files.
fn walk(
    items: &[syn::Item],
    path: &[String],
    dir: &Path,
    found: &mut Vec<Module>,
    tests: &mut Vec<PathBuf>,
) {
    for item in items {
        let syn::Item::Mod(m) = item else { continue };
        assert!(
            !m.attrs.iter().any(|a| a.path().is_ident("path")),
            "tidy does not follow #[path]: {}",
            m.ident
        );
        let name = m.ident.to_string();
        let child: Vec<String> = path.iter().cloned().chain([name.clone()]).collect();
        let child_dir = dir.join(&name);
        if let Some((_, inline)) = &m.content {
            if !is_test(&m.attrs) {
                walk(inline, &child, &child_dir, found, tests);
            }
            continue;
        }
        let file = [dir.join(format!("{name}.rs")), child_dir.join("mod.rs")]
            .into_iter()
            .find(|f| f.exists())
            .unwrap_or_else(|| panic!("no file for mod {}", child.join("::")));
        if is_test(&m.attrs) {
            tests.push(file);
            continue;
        }
        walk(&parse(&file).items, &child, &child_dir, found, tests);
        found.push(Module { file, path: child });
    }
}

/// `#[cfg(test)]`.
fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string() == "test")
    })
}

/// Every path into the crate that `file` (the source of module `module`) names.
pub fn crate_paths(file: &syn::File, module: &[String]) -> Vec<Named> {
    let mut reader = Reader {
        module: module.to_vec(),
        children: Vec::new(),
        found: Vec::new(),
    };
    reader.children = file
        .items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Mod(m) => Some(m.ident.to_string()),
            _ => None,
        })
        .collect();
    reader.visit_file(file);
    reader.found
}

struct Reader {
    /// The module being read (an inline `mod` pushes its name).
    module: Vec<String>,
    /// The file's own `mod` children, which a relative path may start with.
    children: Vec<String>,
    found: Vec<Named>,
}

impl Reader {
    /// Records `segments` (as written) when they lead into the crate.
    fn name(&mut self, segments: &[String], line: usize) {
        let Some(first) = segments.first() else {
            return;
        };
        let module = &self.module;
        let path: Vec<String> = match first.as_str() {
            "crate" => segments[1..].to_vec(),
            "self" => module.iter().chain(&segments[1..]).cloned().collect(),
            "super" => {
                let ups = segments.iter().take_while(|s| *s == "super").count();
                let Some(base) = module.len().checked_sub(ups) else {
                    return;
                };
                module[..base]
                    .iter()
                    .chain(&segments[ups..])
                    .cloned()
                    .collect()
            }
            _ if self.children.contains(first) => module.iter().chain(segments).cloned().collect(),
            _ => return,
        };
        let path = path.into_iter().filter(|s| s != "self").collect();
        self.found.push(Named { path, line });
    }

    fn use_tree(&mut self, tree: &syn::UseTree, prefix: &mut Vec<String>) {
        let leaf = |reader: &mut Reader, ident: &syn::Ident, prefix: &[String]| {
            let mut path = prefix.to_vec();
            path.push(ident.to_string());
            reader.name(&path, ident.span().start().line);
        };
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(&p.tree, prefix);
                prefix.pop();
            }
            syn::UseTree::Name(n) => leaf(self, &n.ident, prefix),
            syn::UseTree::Rename(r) => leaf(self, &r.ident, prefix),
            syn::UseTree::Glob(g) => {
                self.name(prefix, g.star_token.spans[0].start().line);
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.use_tree(t, prefix)),
        }
    }

    /// Paths in tokens syn does not parse (a macro's arguments, an attribute's): `crate`,
    /// `$crate` or `super` followed by `::NAME`s.
    fn tokens(&mut self, tokens: TokenStream) {
        let flat = flatten(tokens);
        for (i, tree) in flat.iter().enumerate() {
            let TokenTree::Ident(start) = tree else {
                continue;
            };
            if start != "crate" && start != "super" {
                continue;
            }
            let mut segments = vec![start.to_string()];
            let mut rest = &flat[i + 1..];
            while let [
                TokenTree::Punct(a),
                TokenTree::Punct(b),
                TokenTree::Ident(next),
                tail @ ..,
            ] = rest
            {
                if a.as_char() != ':' || b.as_char() != ':' {
                    break;
                }
                segments.push(next.to_string());
                rest = tail;
            }
            if segments.len() > 1 {
                self.name(&segments, start.span().start().line);
            }
        }
    }
}

/// The tokens of a stream, groups opened (their delimiters dropped).
fn flatten(tokens: TokenStream) -> Vec<TokenTree> {
    let mut out = Vec::new();
    for tree in tokens {
        match tree {
            TokenTree::Group(g) => out.extend(flatten(g.stream())),
            other => out.push(other),
        }
    }
    out
}

impl<'ast> Visit<'ast> for Reader {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Fn(i) => &i.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Mod(i) => &i.attrs,
            syn::Item::Use(i) => &i.attrs,
            syn::Item::Const(i) => &i.attrs,
            syn::Item::Static(i) => &i.attrs,
            syn::Item::Struct(i) => &i.attrs,
            syn::Item::Enum(i) => &i.attrs,
            syn::Item::Trait(i) => &i.attrs,
            syn::Item::Macro(i) => &i.attrs,
            _ => return visit::visit_item(self, item),
        };
        if !is_test(attrs) {
            visit::visit_item(self, item);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test(&f.attrs) {
            visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if let Some((_, items)) = &m.content {
            self.module.push(m.ident.to_string());
            items.iter().for_each(|i| self.visit_item(i));
            self.module.pop();
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&u.tree, &mut Vec::new());
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(first) = p.segments.first() {
            self.name(&segments, first.ident.span().start().line);
        }
        visit::visit_path(self, p);
    }

    /// `pub(crate)`, `pub(super)`: a visibility names a module, but imports nothing.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.tokens(m.tokens.clone());
        visit::visit_macro(self, m);
    }

    fn visit_attribute(&mut self, a: &'ast syn::Attribute) {
        if let syn::Meta::List(l) = &a.meta {
            self.tokens(l.tokens.clone());
        }
    }
}

/// clap's derives and impls of its traits in `file`: (line, what). `cmd` may read the definition
/// (`CommandFactory`, for `man` and `completions`) but defines no flag.
pub fn clap_types(file: &syn::File) -> Vec<(usize, String)> {
    const CLAP: [&str; 4] = ["Parser", "Args", "Subcommand", "ValueEnum"];
    let mut found = Vec::new();
    for item in &file.items {
        let (attrs, ident, trait_) = match item {
            syn::Item::Struct(i) => (&i.attrs, i.ident.to_string(), None),
            syn::Item::Enum(i) => (&i.attrs, i.ident.to_string(), None),
            syn::Item::Impl(i) => (&i.attrs, String::new(), i.trait_.as_ref()),
            _ => continue,
        };
        for a in attrs.iter().filter(|a| a.path().is_ident("derive")) {
            let tokens = a.meta.require_list().map(|l| l.tokens.to_string());
            let derives = tokens.unwrap_or_default();
            if derives.split([',', ':', ' ']).any(|d| CLAP.contains(&d)) {
                let line = a.pound_token.span.start().line;
                found.push((line, format!("{ident} derives {derives}")));
            }
        }
        if let Some((_, path, _)) = trait_
            && path
                .segments
                .last()
                .is_some_and(|s| CLAP.contains(&s.ident.to_string().as_str()))
        {
            let line = path.segments[0].ident.span().start().line;
            found.push((line, "an impl of clap's ValueEnum".to_string()));
        }
    }
    found
}
