"""The simulator's writer holds renderers to the contract: a misspelled or forgotten column is an
error naming the table and the columns, never a column of NULLs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from revenue_warehouse.contract import get_table
from revenue_warehouse.simulator.writer import TableWriter

TABLE = get_table("stripe", "usage_record")


def chunk(**overrides: object) -> pa.Table:
    columns = {
        "id": ["mbur_1"],
        "_fivetran_synced": ["2024-01-01 23:59:59"],
        "subscription_item_id": ["si_1"],
        "timestamp": ["2024-01-01 00:00:00"],
        "quantity": [3],
        "_day": [0],
        "_order": [0],
    }
    columns.update(overrides)
    return pa.table({k: v for k, v in columns.items() if v is not None})


def writer(tmp_path: Path) -> TableWriter:
    return TableWriter(tmp_path, TABLE, "csv", date(2024, 1, 1), 0, np.random.default_rng(1), 0.0, 0.0)


def test_rows_that_match_the_contract_are_written(tmp_path: Path) -> None:
    w = writer(tmp_path)
    w.add(chunk())
    w.close()
    [path] = (tmp_path / "stripe" / "usage_record").iterdir()
    assert path.read_text().splitlines() == [
        "id,_fivetran_synced,subscription_item_id,timestamp,quantity",
        '"mbur_1",2024-01-01 23:59:59,"si_1",2024-01-01 00:00:00,3',
    ]


def test_a_misspelled_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError,
        match=r"raw_stripe.usage_record.*unknown columns \['quantty'\], missing columns \['quantity'\]",
    ):
        writer(tmp_path).add(chunk(quantity=None, quantty=[3]))


def test_a_forgotten_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown columns \[\], missing columns \['subscription_item_id'\]"):
        writer(tmp_path).add(chunk(subscription_item_id=None))
