"""The batch path on Spark: the single-machine stages run in executors, the corpus-wide steps as joins.

inputs.py lists and reads the inputs (files, JSON Lines, HTML, WARC through fastwarc, any Hadoop path),
executors.py runs the per-article stages once per article with models loaded once per executor, corpus.py
does what needs the whole corpus (near-copies, name merging, document frequencies, story and event placement)
as joins, tables.py holds the Parquet schemas, job.py chains them, loading.py puts a batch into a store.
"""
