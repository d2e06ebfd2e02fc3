package wavfile

import (
	"encoding/binary"
	"testing"
)

func TestEncode16(t *testing.T) {
	pcm := []float32{0, 1, -1, 2, -2, 0.5, -0.5, 1.0 / 32768, float32(-3) / 32768}
	want := []int16{0, 32767, -32768, 32767, -32768, 16384, -16384, 1, -3}
	b := Encode16(pcm, 8000)
	le := binary.LittleEndian
	if string(b[:4]) != "RIFF" || string(b[8:16]) != "WAVEfmt " || string(b[36:40]) != "data" || len(b) != 44+2*len(pcm) {
		t.Fatalf("header %q", b[:44])
	}
	if le.Uint32(b[4:]) != uint32(len(b)-8) || le.Uint32(b[24:]) != 8000 || le.Uint32(b[28:]) != 16000 || le.Uint32(b[40:]) != uint32(2*len(pcm)) {
		t.Fatalf("sizes or rate wrong: %v", b[:44])
	}
	for i, w := range want {
		if got := int16(le.Uint16(b[44+2*i:])); got != w {
			t.Errorf("sample %d (%g): %d, want %d", i, pcm[i], got, w)
		}
	}
}
