from django.urls import path

from erp.finance.journal.screens import JOURNAL_ENTRY_SCREENS
from erp.finance.openitems.urls import urlpatterns as receivables_payables
from erp.finance.views import accounts, closing, periods, reports, taxes

app_name = "finance"

urlpatterns = [
    path("accounts/", accounts.account_list, name="account-list"),
    path("accounts/new/", accounts.account_create, name="account-create"),
    path("accounts/import/", accounts.account_import, name="account-import"),
    path("accounts/export/", accounts.account_export, name="account-export"),
    path("accounts/load-template/", accounts.chart_load, name="chart-load"),
    path("accounts/<int:pk>/", accounts.account_detail, name="account-detail"),
    path("accounts/<int:pk>/edit/", accounts.account_update, name="account-update"),
    path("accounts/<int:pk>/active/", accounts.account_set_active, name="account-set-active"),
    path("accounts/<int:pk>/delete/", accounts.account_delete, name="account-delete"),
    path("fiscal-years/", periods.fiscalyear_list, name="fiscalyear-list"),
    path("fiscal-years/new/", periods.fiscalyear_create, name="fiscalyear-create"),
    path("fiscal-years/<int:pk>/", periods.fiscalyear_detail, name="fiscalyear-detail"),
    path("fiscal-years/<int:pk>/close/", closing.fiscalyear_close, name="fiscalyear-close"),
    path("fiscal-years/<int:pk>/reopen/", closing.fiscalyear_reopen, name="fiscalyear-reopen"),
    path("periods/<int:pk>/close/", periods.period_close, name="period-close"),
    path("periods/<int:pk>/reopen/", periods.period_reopen, name="period-reopen"),
    path("tax-codes/", taxes.taxcode_list, name="taxcode-list"),
    path("tax-codes/new/", taxes.taxcode_create, name="taxcode-create"),
    path("tax-codes/<int:pk>/", taxes.taxcode_update, name="taxcode-update"),
    path("tax-codes/<int:pk>/active/", taxes.taxcode_set_active, name="taxcode-set-active"),
    path("reports/trial-balance/", reports.trial_balance, name="report-trial-balance"),
    path("reports/general-ledger/", reports.general_ledger, name="report-general-ledger"),
    path("reports/journal/", reports.journal, name="report-journal"),
    path("reports/profit-and-loss/", reports.profit_and_loss, name="report-profit-and-loss"),
    path("reports/balance-sheet/", reports.balance_sheet, name="report-balance-sheet"),
    *JOURNAL_ENTRY_SCREENS.urls(),
    *receivables_payables,
]
