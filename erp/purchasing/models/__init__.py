"""The purchasing models: requisitions, requests for quotation, purchase orders and the tenant's
purchasing settings."""

from erp.purchasing.models.costs import AllocationMethod, CostAdjustment, LandedCost, LandedCostLine
from erp.purchasing.models.orders import PurchaseOrder, PurchaseOrderLine, SendStatus
from erp.purchasing.models.receipts import PurchaseReceiptLine, PurchaseReturnLine
from erp.purchasing.models.requisitions import LineState, PurchaseRequisition, PurchaseRequisitionLine
from erp.purchasing.models.rfqs import RequestForQuotation, RequestForQuotationLine, RFQQuote, RFQVendor
from erp.purchasing.models.settings import MismatchAction, PurchasingSettings

__all__ = [
    "AllocationMethod",
    "CostAdjustment",
    "LandedCost",
    "LandedCostLine",
    "LineState",
    "MismatchAction",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseReceiptLine",
    "PurchaseRequisition",
    "PurchaseRequisitionLine",
    "PurchaseReturnLine",
    "PurchasingSettings",
    "RFQQuote",
    "RFQVendor",
    "RequestForQuotation",
    "RequestForQuotationLine",
    "SendStatus",
]
