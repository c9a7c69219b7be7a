"""The manual generator: cart into generator, custom invoices, editing, approvals, discard.

Each change is one transaction that locks the draft row and checks the version the clerk
edited (optimistic concurrency: a stale edit gets StaleVersion, nobody is overwritten
silently), applies a pure Draft rule and stores the result under the next version.
Approvals belong to a version, so any edit resets them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from affbill_billing.adapters import billable_items, periods_repo, profiles_repo
from affbill_billing.adapters.invoices import drafts as repo
from affbill_billing.config import Settings
from affbill_billing.domain.approvals import FourEyes, approval_refusal
from affbill_billing.domain.drafts import Draft, DraftError, Presets
from affbill_billing.domain.grouping import Item
from affbill_billing.domain.invoice_lines import Line, Vat
from affbill_billing.domain.invoicing import vat_for
from affbill_billing.service_layer import audit_trail
from affbill_billing.service_layer.errors import NotFound, Refused, StaleVersion
from affbill_contracts.vat_ids import vat_id_problem
from affbill_runtime.db import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


async def _presets(session: AsyncSession, customer_id: str, settings: Settings
                   ) -> tuple[Presets, Decimal]:
    """The customer's presets and its seller's domestic VAT rate."""
    profile = await profiles_repo.profile(session, customer_id)
    if profile is None:
        raise NotFound(f"No billing profile for customer {customer_id}")
    rate = profile.issuer.domestic_vat_rate if profile.issuer else settings.domestic_vat_rate
    return profile.presets(settings.seller_country), rate


async def seller_of(session: AsyncSession, presets: Presets, settings: Settings
                    ) -> tuple[str, Decimal]:
    """Country and domestic VAT rate of the draft's seller entity (or the configured one)."""
    try:
        entity = await profiles_repo.issuer(session, presets.seller_entity)
    except LookupError as exc:
        raise DraftError("seller_entity", str(exc)) from None
    if entity is None:
        return settings.seller_country, settings.domestic_vat_rate
    return entity.country, entity.domestic_vat_rate


async def cart_into_generator(uow_factory: UowFactory, customer_id: str,
                              item_ids: list[uuid.UUID], user: str, settings: Settings
                              ) -> uuid.UUID:
    """Selected open items of one customer become a draft carrying the customer's presets."""
    item_ids = list(dict.fromkeys(item_ids))
    async with uow_factory() as uow:
        presets, rate = await _presets(uow.session, customer_id, settings)
        rows = await billable_items.lock_cart_items(uow.session, item_ids)
        found = {r.item_id for r in rows}
        if missing := [str(i) for i in item_ids if i not in found]:
            raise DraftError("item_ids", f"unknown items: {', '.join(missing[:5])}")
        if foreign := [str(r.item_id) for r in rows if r.customer_id != customer_id]:
            raise DraftError("item_ids", f"items of another customer: {', '.join(foreign[:5])}")
        if taken := [str(r.item_id) for r in rows if r.state != "open" or r.draft_id]:
            raise Refused(f"Items no longer open (invoiced or in a draft): {', '.join(taken[:5])}")
        if locked := await periods_repo.locked_days(await uow.session.connection(),
                                                    sorted({r.day for r in rows})):
            raise Refused("Items of a locked period cannot be carted: " + "; ".join(
                f"{day} lies in {start}..{end}" for day, (start, end) in sorted(
                    locked.items())[:5]) + " (a run bills them with the next open period)")
        items = [Item(r.item_id, r.offer_id, r.offer_name, r.day, r.currency, r.units, r.revenue)
                 for r in rows]
        draft = Draft.from_items(items, presets, rate)
        draft_id = uuid.uuid4()
        await repo.insert(uow.session, draft_id, customer_id, draft, user)
        await audit_trail.draft_changed(uow.session, draft_id, "create", None, draft, 1, user)
        await uow.commit()
    return draft_id


async def custom_invoice(uow_factory: UowFactory, customer_id: str,
                         lines: Callable[[Vat], list[Line]], currency: str | None, user: str,
                         settings: Settings, *, supply_date: dt.date | None = None
                         ) -> uuid.UUID:
    """A draft with free lines only, from the customer profile; `lines` get the VAT of the
    customer's tax treatment where they name none. Create asks for the date of supply
    (``supply_date``) unless the lines name a service period."""
    async with uow_factory() as uow:
        presets, rate = await _presets(uow.session, customer_id, settings)
        presets = replace(presets, supply_date=supply_date)
        if currency:
            presets = replace(presets, currency=currency)
        if not presets.currency:
            raise DraftError("currency", "the profile has no billing currency: give one")
        draft = Draft.custom(presets, lines(vat_for(presets.tax_treatment, rate)))
        draft_id = uuid.uuid4()
        await repo.insert(uow.session, draft_id, customer_id, draft, user)
        await audit_trail.draft_changed(uow.session, draft_id, "create", None, draft, 1, user)
        await uow.commit()
    return draft_id


async def locked_draft(session: AsyncSession, draft_id: uuid.UUID, version: int | None
                       ) -> tuple[repo.DraftRow, Draft]:
    found = await repo.lock(session, draft_id)
    if found is None:
        raise NotFound(f"No draft {draft_id}")
    meta, draft = found
    if draft is None:
        raise Refused(f"This invoice is {meta.status} and can no longer be edited; "
                      "cancel it instead (POST /invoices/{id}/cancel)")
    if version is not None and version != meta.version:
        raise StaleVersion(meta.version)
    return meta, draft


async def edit(uow_factory: UowFactory, draft_id: uuid.UUID, version: int,
               change: Callable[[Draft], list[uuid.UUID] | None]) -> int:
    """Apply one edit (a pure Draft rule) to the version the clerk saw; returns the new
    version. Items the edit freed go back to the generator."""
    async with uow_factory() as uow:
        _, draft = await locked_draft(uow.session, draft_id, version)
        before = audit_trail.draft_state(draft, version)
        try:
            freed = change(draft) or []
        except LookupError as exc:
            raise NotFound(str(exc)) from None
        new_version = await repo.save(uow.session, draft_id, draft)
        await billable_items.release(uow.session, freed)
        await audit_trail.draft_changed(uow.session, draft_id, "edit_lines", before, draft,
                                        new_version)
        await uow.commit()
    return new_version


async def change_presets(uow_factory: UowFactory, draft_id: uuid.UUID, version: int,
                         changes: dict[str, Any], settings: Settings) -> int:
    """Edit this invoice's presets; a (re)applied line grouping rebuilds the item lines from
    the items as they are now (the way to take in a restatement)."""
    async with uow_factory() as uow:
        _, draft = await locked_draft(uow.session, draft_id, version)
        before = audit_trail.draft_state(draft, version)
        if "number_series" in changes and not await profiles_repo.series_exists(
                uow.session, changes["number_series"]):
            raise DraftError("number_series", f"no number series {changes['number_series']!r}")
        vat_id = changes.get("vat_id", draft.presets.vat_id)
        if vat_id and {"vat_id", "country"} & changes.keys() and (problem := vat_id_problem(
                vat_id, changes.get("country", draft.presets.country))):
            raise DraftError("vat_id", problem)
        gone: list[uuid.UUID] = []
        if "line_grouping" in changes:
            now = await billable_items.current_items(uow.session, draft)
            gone = sorted({i.item_id for i in draft.items} - {i.item_id for i in now})
            draft.items = now
        country, rate = await seller_of(uow.session, draft.presets, settings)
        draft.change_presets(changes, rate, country)
        new_version = await repo.save(uow.session, draft_id, draft)
        await billable_items.release(uow.session, gone)
        await audit_trail.draft_changed(uow.session, draft_id, "edit_presets", before, draft,
                                        new_version)
        await uow.commit()
    return new_version


async def approve(uow_factory: UowFactory, draft_id: uuid.UUID, version: int, user: str,
                  rule: FourEyes = FourEyes()) -> None:
    """Approve the version the user saw; the same user twice counts once; the draft's
    creator is refused (four eyes)."""
    async with uow_factory() as uow:
        meta, _ = await locked_draft(uow.session, draft_id, version)
        if refusal := approval_refusal(rule, meta.created_by, user):
            raise Refused(refusal)
        before = await audit_trail.approvals(uow.session, draft_id, version)
        await repo.approve(uow.session, draft_id, version, user)
        await audit_trail.draft_approved(uow.session, draft_id, version, before, user)
        await uow.commit()


async def discard(uow_factory: UowFactory, draft_id: uuid.UUID, version: int) -> None:
    """Delete the draft; its items return to the generator as open."""
    async with uow_factory() as uow:
        _, draft = await locked_draft(uow.session, draft_id, version)
        await repo.delete(uow.session, draft_id)
        await audit_trail.draft_changed(uow.session, draft_id, "discard",
                                        audit_trail.draft_state(draft, version), None)
        await uow.commit()
