from decimal import Decimal as D

from erp.core.documents.totals import LineInput, document_totals, line_amounts


class TestLineAmounts:
    def test_applies_discount_then_tax_and_rounds_half_up(self):
        line = LineInput(quantity=D("3"), unit_price=D("19.99"), discount_percent=D("10"), tax_rate=D("19"))

        amounts = line_amounts(line, places=2)

        assert amounts.net == D("53.97")  # 59.97 × 0.9 = 53.973
        assert amounts.tax == D("10.25")  # 53.97 × 0.19 = 10.2543
        assert amounts.gross == D("64.22")

    def test_splits_a_tax_inclusive_price_into_net_and_tax(self):
        line = LineInput(quantity=D("1"), unit_price=D("119.00"), tax_rate=D("19"), price_includes_tax=True)

        amounts = line_amounts(line, places=2)

        assert (amounts.net, amounts.tax, amounts.gross) == (D("100.00"), D("19.00"), D("119.00"))

    def test_uses_the_currencys_own_decimal_places(self):
        line = LineInput(quantity=D("3"), unit_price=D("333.335"), tax_rate=D("0"))

        assert line_amounts(line, places=0).net == D("1000")
        assert line_amounts(line, places=3).net == D("1000.005")


class TestDocumentTotals:
    def test_computes_tax_once_per_rate_on_the_summed_nets(self):
        lines = [LineInput(quantity=D("1"), unit_price=D("0.05"), tax_rate=D("19"), tax_key="VAT19")] * 3

        totals = document_totals(lines, places=2)

        # per line 0.0095 would round to 0.01 each (0.03); per rate 0.15 × 19 % = 0.0285 → 0.03
        assert totals.net == D("0.15")
        assert totals.tax == D("0.03")
        assert totals.gross == D("0.18")
        assert totals.tax_breakdown["VAT19"] == {"rate": D("19"), "net": D("0.15"), "tax": D("0.03")}

    def test_keeps_rates_apart_and_adds_up(self):
        lines = [
            LineInput(quantity=D("2"), unit_price=D("50"), tax_rate=D("19"), tax_key="VAT19"),
            LineInput(quantity=D("1"), unit_price=D("10"), tax_rate=D("7"), tax_key="VAT7"),
        ]

        totals = document_totals(lines, places=2)

        assert (totals.net, totals.tax, totals.gross) == (D("110.00"), D("19.70"), D("129.70"))

    def test_converts_to_the_company_currency_with_its_rounding(self):
        totals = document_totals([LineInput(quantity=D("1"), unit_price=D("100"), tax_rate=D("10"))], places=2)

        company = totals.in_company_currency(rate=D("1.23456"), places=2)

        assert (company.net, company.tax, company.gross) == (D("123.46"), D("12.35"), D("135.81"))
