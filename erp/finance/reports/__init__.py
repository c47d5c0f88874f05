"""The financial report screens: trial balance, general ledger, journal, profit and loss,
balance sheet.

``forms`` reads the filters (dates, organization, comparison) into a ``Scope``; ``build``
turns the ledger selectors (``erp.finance.selectors``) into a ``Report``: columns and rows
of cells, each figure linked to the journal lines behind it; ``export`` writes a report as
an Excel workbook or a PDF. The views (``erp.finance.views.reports``) glue them together;
one template renders every report on screen (``finance/reports/report.html``) and one in
the PDF (``finance/reports/pdf/report.html``)."""
