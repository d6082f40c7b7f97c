#!/usr/bin/env bash
# Rebuilds the two chart fonts in this folder from Debian's font packages with
# fonttools' subsetter (pyftsubset). Run from anywhere inside the repository:
#
#   apt-get install fonts-dejavu-core fonts-noto-cjk && pip install fonttools
#   assets/fonts/make-subsets.sh
#
# With the package and fonttools versions named in README.md, and the same
# repository text, the output is byte for byte the committed files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

dejavu=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
noto=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
noto_sc=2 # face 2 of the collection is Noto Sans CJK SC (0 is JP)
for f in "$dejavu" "$noto"; do
  [ -f "$f" ] || { echo "missing $f: apt-get install fonts-dejavu-core fonts-noto-cjk" >&2; exit 1; }
done
command -v pyftsubset >/dev/null || { echo "missing pyftsubset: pip install fonttools" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Latin text: ASCII, Latin-1, Latin Extended-A/B, IPA, spacing modifiers,
# combining marks, Greek, Cyrillic, general punctuation, super/subscripts,
# currency, letterlike, number forms, arrows, maths, technical, box drawing,
# blocks, geometric shapes, misc symbols, dingbats (✓ ✗ → · … − ─ ►), U+FFFD.
cat >"$tmp/sans.txt" <<'RANGES'
0020-007E 00A0-024F 0250-02FF 0300-036F 0370-03FF 0400-04FF
2000-206F 2070-209F 20A0-20CF 2100-214F 2150-218F 2190-21FF
2200-22FF 2300-23FF 2500-257F 2580-259F 25A0-25FF 2600-26FF
2700-27BF FFFD
RANGES

# CJK text: every GB2312 character (levels 1 and 2 of hanzi plus its symbol
# rows), CJK punctuation, full-width forms, and every CJK character in the
# repository's text (the same ranges as `is_cjk` in tests/charts.rs).
python3 - "$root" >"$tmp/cjk.txt" <<'PY'
import pathlib, sys
root = pathlib.Path(sys.argv[1])
chars = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.update(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
chars.update(map(chr, range(0x3000, 0x3040)))
chars.update(map(chr, range(0xFF00, 0xFFF0)))
def is_cjk(c):
    u = ord(c)
    return (0x2E80 <= u <= 0x9FFF or 0xF900 <= u <= 0xFAFF or 0xFE30 <= u <= 0xFE4F
            or 0xFF00 <= u <= 0xFFEF or 0x20000 <= u <= 0x3FFFF)
paths = [root / "README.md"]
for d in ["experiments", "src", "tests", "examples", "benches"]:
    paths += sorted(p for p in (root / d).rglob("*") if p.is_file())
for p in paths:
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        continue
    chars.update(c for c in text if is_cjk(c))
print("\n".join(f"{ord(c):04X}" for c in sorted(chars)))
PY

# Charts are laid out glyph by glyph with ab_glyph, which reads outlines,
# advances and the legacy 'kern' table but neither hints nor OpenType layout:
# drop those, keep 'kern' and every name record (copyright, licence).
common=(--layout-features= --no-hinting --name-IDs='*' --legacy-kern)
# FontForge's timestamp table (FFTM) would be dropped anyway, with a warning.
pyftsubset "$dejavu" --unicodes-file="$tmp/sans.txt" "${common[@]}" --drop-tables+=FFTM \
  --output-file="$here/DejaVuSans-subset.ttf"
pyftsubset "$noto" --font-number=$noto_sc --unicodes-file="$tmp/cjk.txt" "${common[@]}" \
  --output-file="$here/NotoSansCJKsc-Regular-subset.otf"

# Each font's licence: its own copyright and licence records (name IDs 0 and
# 13; DejaVu's adds the Arev notice) and Debian's copyright file as shipped.
licence() { # <font file> <debian package> <output>
  python3 - "$1" >"$3" <<'PY'
import sys
from fontTools.ttLib import TTFont
name = TTFont(sys.argv[1])["name"]
for i in (0, 13):
    print(name.getDebugName(i).rstrip(), end="\n\n")
PY
  { echo "Debian's /usr/share/doc/$2/copyright:"; echo; cat "/usr/share/doc/$2/copyright"; } >>"$3"
}
licence "$here/DejaVuSans-subset.ttf" fonts-dejavu-core "$here/LICENSE-DejaVuSans.txt"
licence "$here/NotoSansCJKsc-Regular-subset.otf" fonts-noto-cjk "$here/LICENSE-NotoSansCJK.txt"

echo "$(wc -l <"$tmp/cjk.txt") CJK code points requested"
ls -l "$here"
