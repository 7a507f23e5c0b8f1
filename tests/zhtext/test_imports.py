"""zhtext depends on nothing but the standard library, and hardware/ still knows nothing of guides/."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_after(statement: str) -> set[str]:
    code = (f"import sys; before = set(sys.modules); {statement}; "
            "print(' '.join(sorted({m.split('.')[0] for m in set(sys.modules) - before})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    return set(out.stdout.split())


def test_zhtext_imports_only_the_standard_library():
    outside = {m for m in imported_after("import zhtext.linebreak") if m not in sys.stdlib_module_names}
    assert outside == {"zhtext"}


def test_hardware_printer_uses_zhtext_but_not_guides():
    top = imported_after("import hardware.printer, hardware.printer.text")
    assert "zhtext" in top and "guides" not in top
