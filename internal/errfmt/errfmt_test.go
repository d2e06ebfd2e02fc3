package errfmt

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

type stringer struct{}

func (stringer) String() string { return "[1,28,28]" }

// TestLikeFmt: every supported verb and operand formats as fmt formats it.
func TestLikeFmt(t *testing.T) {
	base := errors.New("i2m2: bad input")
	for _, c := range []struct {
		format string
		args   []any
	}{
		{"%w: modality %q has %d values, want %d (shape %v)", []any{base, "image", 783, 784, stringer{}}},
		{"%s%v", []any{"audio", stringer{}}},
		{"%v is %v", []any{3, float32(math.NaN())}},
		{"value %d is %v", []any{int64(-7), float32(math.Inf(1))}},
		{"%v %v %v %v", []any{float32(0.1), 1e21, -2.5e-7, float32(3e38)}},
		{"sha256 %x, stored %x", []any{[]byte{0, 1, 0xab, 0xff}, []byte{}}},
		{"the product of experts %v: %v", []any{[]string{"image", "audio"}, base}},
		{"shape %v must have 3 dimensions", []any{[]int{1, 2}}},
		{"%q in %s layer %d: %v %v", []any{"con\"v\n", "expert \"a\" head", uint32(4), true, uint64(1 << 63)}},
		{"100%% %d%%", []any{5}},
		{"%s needs %d %s", []any{"x", int8(-3), "ops"}},
		{"%v", []any{nil}},
	} {
		want := fmt.Sprintf(c.format, c.args...)
		if got := Sprintf(c.format, c.args...); got != want && !strings.Contains(c.format, "%w") { // fmt.Sprintf prints %w as %!w
			t.Errorf("Sprintf(%q): %q, fmt %q", c.format, got, want)
		}
		fe, ge := fmt.Errorf(c.format, c.args...), Errorf(c.format, c.args...)
		if ge.Error() != fe.Error() {
			t.Errorf("Errorf(%q): %q, fmt %q", c.format, ge, fe)
		}
		if errors.Is(ge, base) != errors.Is(fe, base) {
			t.Errorf("Errorf(%q): errors.Is %v, fmt %v", c.format, errors.Is(ge, base), errors.Is(fe, base))
		}
	}
	other := errors.New("other")
	e := Errorf("%w and %w", base, other)
	if !errors.Is(e, base) || !errors.Is(e, other) || e.Error() != "i2m2: bad input and other" {
		t.Errorf("two %%w: %v", e)
	}
	if got := Hex([]byte{0xde, 0xad, 0x01}); got != "dead01" {
		t.Errorf("Hex: %q", got)
	}
	if got := Sprintf("%v", struct{}{}); got != "%!v(?)" {
		t.Errorf("unsupported operand: %q", got)
	}
}
