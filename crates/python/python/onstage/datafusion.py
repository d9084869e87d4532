"""onstage in DataFusion SQL: aggregate functions over each user's rows.

    ctx = datafusion.SessionContext()
    onstage.datafusion.register(ctx, pathlib.Path("saas.json"), "2026-04-01T00:00:00Z")
    ctx.sql('SELECT "user", onstage_evaluate("user", name, at, props, "row") AS r FROM events GROUP BY "user"')

``register`` adds two aggregates:

- ``onstage_evaluate(user, name, at, props, row)`` over events alone;
- ``onstage_evaluate_with_identify(user, name, at, props, row, identify,
  attributes, entitlements, tz_offset_minutes)`` over the events and the
  identify rows in one input (``UNION ALL``): ``identify`` true marks a
  row of identify data (its ``name``, ``at`` and ``props`` are not read),
  false or null an event (its identify columns are not read). The
  identify data is given by rows, not by extra arguments on each event,
  so a user with identify data and no events still gets a row, a second
  identify row of a user is refused (``duplicate_id``) and a bad identify
  row is named by its own ``row``.

The aggregates are implemented in Rust, in the ``onstage-datafusion``
wheel (crates/datafusion), and handed to DataFusion through its FFI
(``datafusion-ffi``): DataFusion calls them natively, no Python runs per
group or row. The accumulator keeps the user's rows (its partial state is
one list per argument); merging appends them, and the final step sorts
them by ``row`` (events and identify rows apart) before the evaluator
replays them, so partial states merged in any order give the one-pass
result. ``row`` is any integer that numbers the rows of each input table
(``row_number() OVER ()`` when a table has none): it orders events at the
same time and names a refused row. A refused row fails the query; the
error lists each row as :class:`onstage.BadRowsError` does.
"""

from __future__ import annotations

from onstage import Evaluator, as_of_ms, config_text

__all__ = ["register", "aggregate"]


def _native():
    """The ``onstage_datafusion`` module, checked against ``datafusion``'s
    FFI version (a mismatch would not fail cleanly across the boundary)."""
    import datafusion

    try:
        import onstage_datafusion
    except ImportError as e:
        raise ImportError(
            "onstage.datafusion needs the onstage-datafusion wheel (the aggregate, in Rust): "
            "pip install onstage-datafusion; docs/warehouse.md shows how to build it"
        ) from e
    major = int(datafusion.__version__.split(".")[0])
    if major != onstage_datafusion.ffi_version():
        raise ImportError(
            f"onstage-datafusion speaks DataFusion {onstage_datafusion.ffi_version()}'s FFI, "
            f"but datafusion {datafusion.__version__} is installed: install datafusion "
            f"{onstage_datafusion.ffi_version()}.x, or build onstage-datafusion on datafusion-ffi {major}"
        )
    return onstage_datafusion


def aggregate(config, as_of, name: str = "onstage_evaluate", *, identify: bool = False):
    """The aggregate UDF (``datafusion.AggregateUDF``) for a config at
    ``as_of``: ``name(user, name, at, props, row)``, or with ``identify``
    ``name(user, name, at, props, row, identify, attributes, entitlements,
    tz_offset_minutes)``. A config with errors raises
    :class:`onstage.ConfigError` with every problem."""
    import datafusion

    native = _native()
    text = config_text(config)
    Evaluator(text)  # every problem of a bad config, as ConfigError
    return datafusion.udaf(native.aggregate(text, as_of_ms(as_of), name, identify))


def register(ctx, config, as_of, name: str = "onstage_evaluate"):
    """Registers ``name(user, name, at, props, row)`` and
    ``name_with_identify(user, name, at, props, row, identify, attributes,
    entitlements, tz_offset_minutes)`` in a SessionContext; returns both
    aggregates."""
    udafs = (aggregate(config, as_of, name), aggregate(config, as_of, f"{name}_with_identify", identify=True))
    for udaf in udafs:
        ctx.register_udaf(udaf)
    return udafs
