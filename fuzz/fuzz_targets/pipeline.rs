//! Pipeline declarations: dvc.yaml, MLproject, Makefile, Snakefile, shell scripts and README commands.
#![no_main]
use libfuzzer_sys::fuzz_target;
use reproscale::facts::pipeline::Pipelines;

fuzz_target!(|text: &str| {
    let mut p = Pipelines::default();
    p.add_dvc("dvc.yaml", text);
    p.add_mlproject("MLproject", text);
    p.add_makefile("Makefile", text);
    p.add_snakefile("Snakefile", text);
    p.add_commands("run.sh", text, false);
    p.add_commands("README.md", text, true);
    let _ = p.flags_passed();
});
