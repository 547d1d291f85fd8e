"""Plan documents: import (text/.docx → plan data) and report output. No Flask here."""
