# Stage 1: raw data. One job per manifest file: copied from the repository (a file without a
# public URL ships under src/static/) or from the local mirror ($REEVAL_DATA_MIRROR or
# data.mirror), or downloaded; verified against its sha256 and size, and moved into place
# atomically. A wrong hash fails and leaves no file behind.


rule fetch_data:
    """One file of the data manifest: copied from the mirror or downloaded, sha256-verified,
    atomic."""
    message:
        "Fetching {wildcards.path}..."
    input:
        # a file shipped with the repository: editing it refetches it (and fails until the
        # manifest records its new sha256 and size)
        lambda w: MANIFEST.entry(w.path).static or [],
    output:
        f"{RAW}/{{path}}",
    wildcard_constraints:
        path="|".join(re.escape(p) for p in MANIFEST.files),
    params:
        # a changed manifest record (new hash or URL) refetches just that file
        # (fetch_data.py reads the data section itself: the mirror, the time-out)
        sha256=from_profile(lambda w: MANIFEST.entry(w.path).sha256, "data"),
        url=lambda w: MANIFEST.entry(w.path).url or "",
    conda:
        CONDA_ENV
    priority: PRIORITY_FETCH
    log:
        f"{LOGS}/fetch_data/{{path}}.log",
    resources:
        mem_mb=200,
        runtime=10,
    shell:
        command(
            "--path {wildcards.path:q} --output {output:q}",
            script="src/scripts/fetch_data.py",
        )
