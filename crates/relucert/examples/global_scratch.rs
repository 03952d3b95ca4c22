use relucert::global::{solve, Options};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let inst = relucert::instance::load(args[1].as_ref()).unwrap();
    let m: usize = args[2].parse().unwrap();
    let t = std::time::Instant::now();
    let r = solve(&inst.problem, &Options::new(m)).unwrap();
    println!(
        "L*_{m} = {} chambers {} pairs {} sets {} lps {} duals {} time {:?}",
        r.value,
        r.chambers,
        r.pairs,
        r.sets_total,
        r.lps,
        r.certificate.as_ref().map_or(0, |c| c.duals.len()),
        t.elapsed()
    );
    if let Some(out) = args.get(3) {
        let w = relucert::global::witness_instance(
            &inst,
            &r.arch,
            &r.witness,
            &r.value,
            "relucert global (scratch)",
        )
        .unwrap();
        std::fs::write(out, relucert::instance::to_toml(&w)).unwrap();
    }
    if let Some(c) = r.certificate.clone() {
        let cert = relucert::cert::Certificate {
            header: relucert::cert::Header {
                instance_sha256: relucert::instance::canonical_hash(&inst),
                claim: relucert::cert::Claim::GlobalOptimum,
                loss: r.value.clone(),
            },
            evidence: relucert::cert::Evidence::WidthOptimum(c),
        };
        let t = std::time::Instant::now();
        let res = relucert_check::check(&inst, &cert.to_json());
        println!(
            "check: {:?} in {:?}, {} bytes",
            res.map(|a| a.claim),
            t.elapsed(),
            cert.to_json().to_string().len()
        );
    }
    if let Some(c) = r.certificate {
        println!(
            "empty proofs {}; cert nu entries {}",
            c.empty.len(),
            c.duals.iter().map(|d| d.pairs.len()).sum::<usize>()
        );
    }
}
#[allow(dead_code)]
fn unused() {}
