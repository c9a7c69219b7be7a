"""The manual generator's steps of test_billing_oracle: cart into generator, discard, Create
(one draft, or bulk as the IssueDrafts command, delivered twice) and cancellation — each by
the service layer and by the twins, a refusal predicted by the twins' rules as well."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import event

from affbill_billing.domain.cancellation import cancellation_type
from affbill_billing.domain.drafts import DraftError
from affbill_billing.service_layer import drafts, issuing
from affbill_billing.service_layer.errors import NotFound, Refused
from affbill_contracts import Envelope
from affbill_contracts.billing import IssueDrafts
from affbill_runtime.runtime import Runtime
from tests.integration.billing.oracle_steps import Cancel, Cart, Create, Discard, customer_id
from tests.integration.billing.oracle_world import TODAY, Document, World


def _expect(error: type[Exception] | None) -> Any:
    return pytest.raises(error) if error else _Nothing()


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


class ManualGenerator:
    """Steps of the manual generator; mixed into oracle_driver.Steps."""

    billing: Runtime
    world: World
    drafted: list[uuid.UUID]
    made: list[uuid.UUID]

    settings: Any
    _document: Any  # Steps._document: a document the step made, into the twins' world

    async def _cart(self, step: Cart) -> None:
        customer, every = customer_id(step.customer), self.world.items.items
        free = sorted(r for r, i in every.items()
                      if i.customer_id == customer and i.is_open and not i.in_draft)
        refs = list(dict.fromkeys(free[n % len(free)] for n in step.picks)) if free else []
        odd = sorted(r for r, i in every.items() if r not in refs and (
            i.customer_id != customer if step.odd == "foreign"
            else i.customer_id == customer and not (i.is_open and not i.in_draft)))
        if step.odd and odd:
            refs.append(odd[0])
        if not refs:
            return
        items = [every[r] for r in refs]
        profile = self.world.profiles.get(customer)
        error = (NotFound if profile is None
                 else DraftError if any(i.customer_id != customer for i in items)
                 else Refused if any(not i.is_open or i.in_draft for i in items)
                 else DraftError if len({i.currency for i in items}) > 1 else None)
        with _expect(error):
            draft_id = await drafts.cart_into_generator(
                self.billing.uow, customer, [self.world.item_ids[r] for r in refs], "anna",
                self.settings)
        if error is None:
            assert profile is not None
            self._document(draft_id, customer, items[0].currency, "draft", items, profile)

    def _refusal(self, draft_id: uuid.UUID) -> type[Exception] | None:
        """Why Create or discard would not take this draft (None: it would)."""
        doc = self.world.documents.get(draft_id)
        return NotFound if doc is None else Refused if doc.status != "draft" else None

    async def _discard(self, step: Discard) -> None:
        draft_id = self.drafted[step.draft % len(self.drafted)]
        error = self._refusal(draft_id)
        with _expect(error):
            await drafts.discard(self.billing.uow, draft_id, 1)
        if error is None:
            self.world.items.release(draft_id)
            del self.world.documents[draft_id]

    async def _create(self, step: Create) -> None:
        chosen = list(dict.fromkeys(self.drafted[n % len(self.drafted)] for n in step.drafts))
        if not step.bulk:
            chosen = chosen[:1]
        issuable = []
        for draft_id in chosen:
            error = self._refusal(draft_id)
            if error is None and self.world.restated(self.world.documents[draft_id]):
                event("Create refused: items restated since the cart")
                error = Refused
            if error is None and self._vat_id_missing(draft_id):
                event("Create refused: VAT id missing")
                error = DraftError
            if not step.bulk:
                with _expect(error):
                    await issuing.issue_draft(self.billing.uow, draft_id, 1, "anna",
                                              self.settings, TODAY)
            if error is None:
                issuable.append(draft_id)
                self._issued(draft_id)
        if step.bulk:
            command = Envelope.wrap(IssueDrafts(draft_ids=chosen, requested_by="anna"),
                                    job_id=uuid.uuid4())
            counts = await issuing.issue_drafts(self.billing.uow, command, self.settings, TODAY)
            assert counts == {"documents_created": len(issuable),
                              "drafts_refused": len(chosen) - len(issuable)}
            assert await issuing.issue_drafts(self.billing.uow, command, self.settings,
                                              TODAY) == {"already_done": True}

    def _vat_id_missing(self, draft_id: uuid.UUID) -> bool:
        """The draft's customer is an EU buyer without VAT id whose kind is not said."""
        profile = self.world.profiles.get(self.world.documents[draft_id].customer_id)
        return profile is not None and profile.tax_treatment is None

    def _issued(self, draft_id: uuid.UUID) -> None:
        doc = self.world.documents[draft_id]
        self.world.items.invoice(list(doc.reserved), draft_id)
        doc.status, doc.reserved = "issued", {}

    async def _cancel(self, step: Cancel) -> None:
        original_id = self.made[step.document % len(self.made)]
        doc = self.world.documents.get(original_id)
        error = (NotFound if doc is None
                 else Refused if doc.status != "issued" or doc.cancels is not None else None)
        with _expect(error):
            document, _ = await issuing.cancel_invoice(self.billing.uow, original_id, "anna",
                                                       self.settings, TODAY)
        if error is None:
            assert doc is not None
            doc.status = "cancelled"
            self.made.append(document.invoice_id)
            self.world.documents[document.invoice_id] = Document(
                document.invoice_id, doc.customer_id, doc.currency, "issued",
                doc.amounts.negated(), cancellation_type(doc.document_type), cancels=original_id)
            before = len(self.world.items.items)
            self.world.items.return_items(original_id, doc.customer_id)
            if len(self.world.items.items) < before:
                event("cancelled items merged into open adjustments")
