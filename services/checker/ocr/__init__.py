"""Text inside images and scanned documents, read by Tesseract (Debian's chi_sim data, no downloads)."""
