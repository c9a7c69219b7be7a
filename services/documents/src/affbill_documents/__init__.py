"""affbill documents: Renders issued documents as PDF/A-3 with embedded EN 16931 XML
and keeps them."""
