"""The Dagster code location ``revenue_warehouse`` (``dagster dev -m orchestration.definitions``): ONE
``Definitions`` built from the settings when this module loads (see ``orchestration.location``)."""

from orchestration.location import build_definitions

defs = build_definitions()
