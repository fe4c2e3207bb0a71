"""The signal the engine sends after it has written a page of records, for whoever keeps figures on them.

The engine knows nothing of what is kept (channels.stats keeps per-day and per-customer figures): it says
which model, which integration and which rows it created or updated, once the page's own follow-up work
(the stream's `after_write`: links, guests made from orders) is done, inside the page's transaction, so
that figures commit with the records they count or not at all.
"""

from django.dispatch import Signal

# sender: the model written; integration_id: int; pks: list[int] of the rows created or updated.
records_written = Signal()
