//! The catalog as users see it: `swop recipes --json` gives every built-in
//! tool its facts and their sources, and the README names exactly those
//! tools.

use serde_json::Value;

use crate::common::Swop;

#[test]
fn every_catalog_tool_has_its_facts_and_the_readme_names_them_all() {
    let swop = Swop::new();
    let out = swop.args(["recipes", "--json"]).success();
    let listed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let tools: Vec<&Value> = listed
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["source"] == "built-in")
        .collect();
    assert_eq!(tools.len(), 24, "{listed:#}");
    for tool in &tools {
        let facts = &tool["catalog"];
        let name = tool["tool"].as_str().expect("name");
        assert!(
            facts["sources"].as_array().is_some_and(|s| !s.is_empty()),
            "{name}: no sources"
        );
        assert!(
            facts["shared"].as_str().is_some_and(|s| !s.is_empty()),
            "{name}"
        );
        for key in ["values", "credentials", "overrides", "unconfirmed"] {
            assert!(facts[key].is_array(), "{name}: {key}");
        }
    }
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let start = readme.find("### The catalog").expect("a catalog section");
    let section = &readme[start..];
    let section = &section[..section[4..].find("\n#").map_or(section.len(), |e| e + 4)];
    let flat = section.split_whitespace().collect::<Vec<_>>().join(" ");
    let names: Vec<&str> = tools.iter().filter_map(|t| t["tool"].as_str()).collect();
    let sentence = format!(
        "`--tool` knows {} and {}.",
        names[..names.len() - 1].join(", "),
        names[names.len() - 1]
    );
    assert!(
        flat.contains(&sentence),
        "the README should say: {sentence}"
    );
}
