"""The batch pseudonymiser gives exactly the one-value HMAC-SHA256 pseudonym, for any key and value."""

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from ingest.pseudonymise import pseudonym, pseudonyms


@given(
    key=st.binary(min_size=16, max_size=200),  # shorter and longer than SHA-256's 64-byte block
    values=st.lists(st.text(max_size=30), max_size=20),
)
def test_batch_pseudonyms_equal_the_standard_hmac(key: bytes, values: list[str]) -> None:
    batch = pseudonyms(values, key)
    assert set(batch) == set(values)
    for value in values:
        standard = hmac.new(key, value.strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()[:20]
        assert batch[value] == pseudonym(value, key) == "P" + standard


def test_a_pseudonym_ignores_case_and_surrounding_spaces_but_not_the_key() -> None:
    key = b"a-key-of-sixteen-bytes"
    assert pseudonyms([" sa0001 ", "SA0001"], key) == {
        " sa0001 ": pseudonym("SA0001", key),
        "SA0001": pseudonym("SA0001", key),
    }
    assert pseudonym("SA0001", key) != pseudonym("SA0001", key + b"!")
