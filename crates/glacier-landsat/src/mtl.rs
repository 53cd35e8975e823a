//! Landsat MTL metadata: ODL text (`GROUP = … END_GROUP`) and its JSON form, as one tree.
//!
//! Groups are kept apart: a Level-2 MTL repeats `REFLECTANCE_MULT_BAND_5` in
//! `LEVEL1_RADIOMETRIC_RESCALING` (2e-5) and `LEVEL2_SURFACE_REFLECTANCE_PARAMETERS` (2.75e-5), so
//! every lookup names its group.

use crate::error::LandsatError;

/// The deepest `GROUP` nesting taken (a Landsat MTL nests 2 deep); deeper text is refused
/// before the tree, whose lookups recurse, could exhaust the stack.
pub const MAX_GROUP_DEPTH: usize = 32;

/// One `GROUP` with its values and sub-groups, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Group {
    /// Group name (`IMAGE_ATTRIBUTES`, …); empty for the root.
    pub name: String,
    /// `KEY = VALUE` pairs; quoted strings without their quotes, numbers as written.
    pub values: Vec<(String, String)>,
    /// Nested groups.
    pub groups: Vec<Group>,
}

impl Group {
    /// The first group named `name` at any depth below (or equal to) this one.
    pub fn find_group(&self, name: &str) -> Option<&Group> {
        if self.name == name {
            return Some(self);
        }
        self.groups.iter().find_map(|g| g.find_group(name))
    }

    /// A value directly in this group.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A parsed MTL file.
#[derive(Clone, Debug, PartialEq)]
pub struct Mtl {
    /// The file name, for messages.
    pub file: String,
    /// The unnamed root group holding the top-level group(s).
    pub root: Group,
}

impl Mtl {
    /// Parses MTL text, choosing JSON when it starts with `{` and ODL otherwise.
    ///
    /// # Errors
    /// [`LandsatError::MtlSyntax`] with the line and problem.
    pub fn parse(file: &str, text: &str) -> Result<Mtl, LandsatError> {
        if text.trim_start().starts_with('{') {
            Self::parse_json(file, text)
        } else {
            Self::parse_odl(file, text)
        }
    }

    /// Parses the ODL text form (`_MTL.txt`).
    ///
    /// # Errors
    /// [`LandsatError::MtlSyntax`] for unbalanced groups or lines that are not `KEY = VALUE`,
    /// [`LandsatError::MtlTooDeep`] past [`MAX_GROUP_DEPTH`].
    pub fn parse_odl(file: &str, text: &str) -> Result<Mtl, LandsatError> {
        let err = |line: usize, detail: &str| LandsatError::MtlSyntax {
            file: file.to_owned(),
            detail: format!("line {line}: {detail}"),
        };
        let mut stack = vec![Group::default()];
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            if line == "END" {
                break;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(err(
                    line_no,
                    &format!("expected KEY = VALUE, found {line:?}"),
                ));
            };
            let (key, value) = (key.trim(), value.trim());
            match key {
                // `stack` holds the root too, so its length is the new group's depth.
                "GROUP" if stack.len() > MAX_GROUP_DEPTH => {
                    return Err(LandsatError::MtlTooDeep {
                        file: file.to_owned(),
                        location: format!("line {line_no} (GROUP = {value})"),
                        limit: MAX_GROUP_DEPTH,
                    });
                }
                "GROUP" => stack.push(Group {
                    name: value.to_owned(),
                    ..Group::default()
                }),
                "END_GROUP" => {
                    let group = stack
                        .pop()
                        .filter(|g| !g.name.is_empty())
                        .ok_or_else(|| err(line_no, "END_GROUP without GROUP"))?;
                    if group.name != value {
                        return Err(err(
                            line_no,
                            &format!("END_GROUP = {value} closes GROUP = {}", group.name),
                        ));
                    }
                    let parent = stack.last_mut().ok_or_else(|| err(line_no, "unbalanced"))?;
                    parent.groups.push(group);
                }
                _ => {
                    let value = value.trim_matches('"').to_owned();
                    let current = stack.last_mut().ok_or_else(|| err(line_no, "unbalanced"))?;
                    current.values.push((key.to_owned(), value));
                }
            }
        }
        if stack.len() != 1 {
            let open = stack.last().map(|g| g.name.clone()).unwrap_or_default();
            return Err(err(
                text.lines().count(),
                &format!("file ends inside GROUP = {open} (truncated?)"),
            ));
        }
        let root = stack.pop().unwrap_or_default();
        if root.groups.is_empty() {
            return Err(err(1, "no GROUP found"));
        }
        Ok(Mtl {
            file: file.to_owned(),
            root,
        })
    }

    /// Parses the JSON form (`_MTL.json`).
    ///
    /// # Errors
    /// [`LandsatError::MtlSyntax`] when the JSON is malformed or not an object of groups,
    /// [`LandsatError::MtlTooDeep`] when objects nest past [`MAX_GROUP_DEPTH`].
    pub fn parse_json(file: &str, text: &str) -> Result<Mtl, LandsatError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| LandsatError::MtlSyntax {
                file: file.to_owned(),
                detail: e.to_string(),
            })?;
        /// The group `name` holding `object`, at `depth` (the root is 0).
        fn to_group(
            file: &str,
            name: &str,
            object: &serde_json::Map<String, serde_json::Value>,
            depth: usize,
        ) -> Result<Group, LandsatError> {
            if depth > MAX_GROUP_DEPTH {
                return Err(LandsatError::MtlTooDeep {
                    file: file.to_owned(),
                    location: format!("object {name:?}"),
                    limit: MAX_GROUP_DEPTH,
                });
            }
            let mut group = Group {
                name: name.to_owned(),
                ..Group::default()
            };
            for (key, value) in object {
                match value {
                    serde_json::Value::Object(inner) => {
                        group.groups.push(to_group(file, key, inner, depth + 1)?);
                    }
                    serde_json::Value::String(s) => group.values.push((key.clone(), s.clone())),
                    other => group.values.push((key.clone(), other.to_string())),
                }
            }
            Ok(group)
        }
        let object = value.as_object().ok_or_else(|| LandsatError::MtlSyntax {
            file: file.to_owned(),
            detail: "the JSON is not an object of MTL groups".into(),
        })?;
        Ok(Mtl {
            file: file.to_owned(),
            root: to_group(file, "", object, 0)?,
        })
    }

    /// A value in the first group named `group`.
    pub fn value(&self, group: &str, key: &str) -> Option<&str> {
        self.root.find_group(group)?.get(key)
    }

    /// A value in the first of `groups` that has `key` (for names that changed between
    /// collections, e.g. `RADIOMETRIC_RESCALING` → `LEVEL1_RADIOMETRIC_RESCALING`).
    pub fn value_in(&self, groups: &[&str], key: &str) -> Option<&str> {
        groups.iter().find_map(|g| self.value(g, key))
    }

    /// A number from the first of `groups` holding `key`.
    ///
    /// # Errors
    /// [`LandsatError::MissingValue`] or [`LandsatError::NotANumber`].
    pub fn number(&self, groups: &[&str], key: &str) -> Result<f64, LandsatError> {
        let text = self
            .value_in(groups, key)
            .ok_or_else(|| LandsatError::MissingValue {
                file: self.file.clone(),
                key: key.to_owned(),
                group_hint: format!(" in group {}", groups.join(" or ")),
            })?;
        text.trim().parse().map_err(|_| LandsatError::NotANumber {
            file: self.file.clone(),
            key: key.to_owned(),
            value: text.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "GROUP = L\n  GROUP = A\n    X = \"text\"\n    N = 2.0000E-05\n  END_GROUP = A\n  GROUP = B\n    N = 2.75e-05\n  END_GROUP = B\nEND_GROUP = L\nEND\n";

    #[test]
    fn groups_stay_apart() {
        let mtl = Mtl::parse("m.txt", SAMPLE).expect("parses");
        assert_eq!(mtl.value("A", "X"), Some("text"));
        assert_eq!(mtl.number(&["A"], "N").expect("number"), 2e-5);
        assert_eq!(mtl.number(&["B"], "N").expect("number"), 2.75e-5);
        assert_eq!(mtl.number(&["C", "B"], "N").expect("number"), 2.75e-5);
    }

    #[test]
    fn broken_files_are_errors_with_line_numbers() {
        let cut = &SAMPLE[..SAMPLE.find("END_GROUP = B").expect("present")];
        let e = Mtl::parse("cut.txt", cut).expect_err("truncated");
        assert!(e.to_string().contains("file ends inside GROUP = B"), "{e}");
        let e = Mtl::parse("x.txt", "GROUP = A\nEND_GROUP = B\n").expect_err("mismatch");
        assert!(
            e.to_string()
                .contains("line 2: END_GROUP = B closes GROUP = A"),
            "{e}"
        );
        let e = Mtl::parse("img.tif", "II*\0garbage").expect_err("not MTL");
        assert!(
            e.to_string()
                .starts_with("img.tif: not a readable Landsat MTL"),
            "{e}"
        );
    }

    /// `depth` nested ODL groups `G0` … with their `END_GROUP`s and one value inside.
    fn nested_odl(depth: usize) -> String {
        let mut text = String::new();
        for i in 0..depth {
            text.push_str(&format!("GROUP = G{i}\n"));
        }
        text.push_str("X = 1\n");
        for i in (0..depth).rev() {
            text.push_str(&format!("END_GROUP = G{i}\n"));
        }
        text + "END\n"
    }

    #[test]
    fn deep_odl_groups_are_refused_not_a_stack_overflow() {
        let at_limit = Mtl::parse("deep.txt", &nested_odl(MAX_GROUP_DEPTH)).expect("32 deep");
        assert_eq!(
            at_limit.value(&format!("G{}", MAX_GROUP_DEPTH - 1), "X"),
            Some("1")
        );
        let e = Mtl::parse("deep.txt", &nested_odl(MAX_GROUP_DEPTH + 1)).expect_err("33 deep");
        assert!(
            matches!(e, LandsatError::MtlTooDeep { limit: 32, .. }),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with("deep.txt: groups nest more than 32 deep at line 33 (GROUP = G32)"),
            "{e}"
        );
        // 100 000 levels built a tree whose drop and lookups overflowed the stack.
        let e = Mtl::parse("bomb.txt", &nested_odl(100_000)).expect_err("100 000 deep");
        assert!(matches!(e, LandsatError::MtlTooDeep { .. }), "{e:?}");
    }

    #[test]
    fn deep_json_objects_are_refused() {
        let nested = |depth: usize| "{\"G\":".repeat(depth) + "{\"X\":1}" + &"}".repeat(depth);
        // The outermost object is the unnamed root, so `nested(d)` holds `d` groups named G.
        let ok = Mtl::parse("deep.json", &nested(MAX_GROUP_DEPTH)).expect("32 deep");
        let (mut group, mut depth) = (&ok.root, 0);
        while let Some(inner) = group.groups.first() {
            (group, depth) = (inner, depth + 1);
        }
        assert_eq!((depth, group.get("X")), (MAX_GROUP_DEPTH, Some("1")));
        let e = Mtl::parse("deep.json", &nested(MAX_GROUP_DEPTH + 1)).expect_err("33 deep");
        assert!(
            matches!(e, LandsatError::MtlTooDeep { limit: 32, .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains("at object \"G\""), "{e}");
        // Far deeper text stops at serde_json's own recursion limit, as a syntax error.
        let e = Mtl::parse("bomb.json", &nested(100_000)).expect_err("100 000 deep");
        assert!(matches!(e, LandsatError::MtlSyntax { .. }), "{e:?}");
    }
}
