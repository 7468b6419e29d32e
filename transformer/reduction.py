"""Fewer documents for the same information, over one batch: each record's events screened as
they are parsed (`transformer/rules.py` leaves some out, `transformer/folding.py` holds START
and END back for their REPORT), then, once every record is read, the lines no REPORT took in
made into documents of their own records, and failures carried to the records that gave lines.

`Reduction.begin` is the per-record hook of `transformer/records.py` (Context.begin_record);
the handler calls `finish` after the last record and `failures` after re-ingestion."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Final

from transformer.document import Encode, encoder
from transformer.enrich import StreamInfo, enrich
from transformer.folding import END_KINDS, START_KINDS, Folder
from transformer.jsonlib import Codec
from transformer.redaction import wrap_encoder
from transformer.reingest import Routes, Spool
from transformer.rules import GroupRules, RuleCounts, rules_for
from transformer.settings import Settings
from transformer.summary import Summary
from transformer.types import Fields, Transformed

_FOLDED_AWAY: Final = (
    "its START or END lines went into the REPORT document of a record that could not be "
    "re-ingested: failed with it, so that the raw records kept for replay hold every line"
)


class Screen:
    """One record's events: `screen(fields, line, epoch_ms, event_id)` is False for an event
    that makes no document now (left out by a rule, or held for its REPORT)."""

    __slots__ = ("_counts", "_folder", "_info", "_owner", "_rules")

    def __init__(
        self,
        info: StreamInfo,
        owner: int,
        rules: GroupRules | None,
        folder: Folder | None,
        counts: RuleCounts,
    ) -> None:
        self._info, self._owner = info, owner
        self._rules, self._folder, self._counts = rules, folder, counts

    def __call__(self, fields: Fields, line: str, epoch_ms: object, event_id: object) -> bool:
        kind = fields.get("aws.lambda.event")
        if kind is None:
            if self._rules is None:
                return True
            reason = self._rules.verdict(fields, event_id)
            if reason is None:
                return True
            self._counts.count(reason)
            return False
        folder = self._folder
        if folder is None:
            return True
        if kind == "report":
            folder.fold(fields, self._info, self._owner, epoch_ms)
            return True
        if kind in START_KINDS or kind in END_KINDS:
            return not folder.hold(fields, line, epoch_ms, event_id, self._info, self._owner)
        return True


class Reduction:
    """The batch's screening state; see the module docstring."""

    def __init__(self, settings: Settings, codec: Codec, fallback_epoch_ms: int, routes: Routes):
        self._settings = settings
        self._codec = codec
        self._fallback_ms = fallback_epoch_ms
        self._routes = routes
        self._groups: dict[str, GroupRules | None] = {}
        self.counts = RuleCounts()
        self.folder = Folder() if settings.fold_platform_events else None

    def begin(self, owner: int, info: StreamInfo) -> Screen | None:
        """The screen of record `owner` (None: every event is a document, as without rules)."""
        self._routes.assign(owner, info.log_group)
        group = info.log_group
        if group not in self._groups:
            self._groups[group] = rules_for(self._settings.event_rules, group)
        rules = self._groups[group]
        if rules is None and self.folder is None:
            return None
        return Screen(info, owner, rules, self.folder, self.counts)

    def finish(self, transformed: list[Transformed], spool: Spool) -> None:
        """The held lines no REPORT took in, each made into its own record's document."""
        if self.folder is None:
            return
        documents: dict[int, list[bytes]] = defaultdict(list)
        encoders: dict[int, Encode] = {}  # one per record, as records.py makes them
        for held in self.folder.leftovers():
            encode = encoders.get(held.owner)
            if encode is None:
                plain = encoder(held.info.shared, self._codec, self._fallback_ms)
                encode = encoders[held.owner] = wrap_encoder(plain, self._settings.redactor)
            enrich(held.fields, held.line, held.event_id, held.info)
            documents[held.owner].append(encode(held.fields, held.epoch_ms))
        for owner, made in documents.items():
            record = transformed[owner]
            if record.kind == "failed":  # the record broke: Firehose keeps it whole
                continue
            if record.kind == "dropped":  # its only lines were held: the first goes inline
                transformed[owner] = replace(
                    record, kind="documents", documents=made[:1], spilled=len(made) - 1
                )
                spool.hold(owner, made[1:])
            else:
                transformed[owner] = replace(record, spilled=record.spilled + len(made))
                spool.hold(owner, made)

    def failures(self, failed: set[int], transformed: list[Transformed]) -> set[int]:
        """`failed`, with the records that gave lines to the REPORT of a record that failed
        (re-ingestion, or the record broke); those left with no document of their own are made
        "failed" (answered ProcessingFailed too)."""
        if self.folder is None:
            return failed
        broken = {index for index, record in enumerate(transformed) if record.kind == "failed"}
        result = self.folder.failures(failed | broken)
        for owner in result - failed - broken:
            if transformed[owner].kind == "dropped":
                transformed[owner] = replace(transformed[owner], kind="failed", reason=_FOLDED_AWAY)
        return result

    def tally(self, summary: Summary) -> None:
        summary.folded = self.folder.folded if self.folder else 0
        summary.dropped_by_level = self.counts.by_level
        summary.dropped_by_pattern = self.counts.by_pattern
        summary.sampled_out = self.counts.sampled_out
