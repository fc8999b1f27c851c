"""Call-path tests that live in the profile repository: CONFIG_DIR/tests/**/*.toml, run by `confc test`.

format.py reads and checks the files; expect.py compares a simulated call with a case's
expectations; run.py finds the document of each case and runs it; snapshot.py writes what a
snapshot case observed; report.py prints the outcomes for people and CI systems.
"""
