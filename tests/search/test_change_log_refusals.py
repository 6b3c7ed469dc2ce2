"""What the change log does with the documents a bulk request was refused: a refusal that passes
(a shard without its primary while a node is lost, too many requests) is kept for the next run;
a document that is not there to delete is done; one refused for good is not retried forever."""

from search.client import index_name
from search.indexing import JOBS, SERVICES
from search.services import _to_retry


def test_only_refusals_that_pass_are_kept_for_the_next_run(caplog):
    services = f"{index_name(SERVICES)}-20261206120000-000001"
    errors = [
        {"index": {"_index": services, "_id": "11", "status": 503,
                   "error": {"type": "unavailable_shards_exception"}}},
        {"index": {"_index": services, "_id": "12", "status": 429}},
        {"delete": {"_index": index_name(JOBS), "_id": "13", "status": 404}},
        {"index": {"_index": services, "_id": "14", "status": 400,
                   "error": {"type": "mapper_parsing_exception"}}},
    ]  # fmt: skip

    assert _to_retry(errors) == {(SERVICES, "11"), (SERVICES, "12")}
    assert "refused a document for good" in caplog.text and "'14'" in caplog.text
