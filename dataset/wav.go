package dataset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/i2m2-wasm/i2m2/internal/wavfile"
)

// DecodeWAV parses a RIFF/WAVE file: integer PCM of 8 (unsigned), 16, 24 or 32 bits, or IEEE float
// of 32 or 64 bits (plain or WAVE_FORMAT_EXTENSIBLE), any number of channels, mixed down to mono by
// averaging the channels. It returns samples in [-1, 1] (floats as stored) and the sample rate, and
// accepts the 0xFFFFFFFF data sizes that synthesisers writing to pipes produce.
func DecodeWAV(b []byte) ([]float32, int, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("wav: not a RIFF/WAVE file")
	}
	var (
		rate, channels, bits, format int
		haveFmt                      bool
	)
	le := binary.LittleEndian
	p := 12
	for p+8 <= len(b) {
		id := string(b[p : p+4])
		size := int(le.Uint32(b[p+4 : p+8]))
		body := b[p+8:]
		if size > len(body) || size < 0 {
			size = len(body)
		}
		switch id {
		case "fmt ":
			if size < 16 {
				return nil, 0, errors.New("wav: short fmt chunk")
			}
			format = int(le.Uint16(body[0:2]))
			channels = int(le.Uint16(body[2:4]))
			rate = int(le.Uint32(body[4:8]))
			bits = int(le.Uint16(body[14:16]))
			if format == 0xFFFE && size >= 26 {
				format = int(le.Uint16(body[24:26])) // the sub-format GUID starts with the format code
			}
			if format != 1 && format != 3 {
				return nil, 0, fmt.Errorf("wav: unsupported format %d (want integer PCM or IEEE float)", format)
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, 0, errors.New("wav: data before fmt")
			}
			ok := format == 1 && (bits == 8 || bits == 16 || bits == 24 || bits == 32) || format == 3 && (bits == 32 || bits == 64)
			if channels < 1 || channels > 64 || !ok {
				return nil, 0, fmt.Errorf("wav: unsupported %d channels, %d bits (format %d)", channels, bits, format)
			}
			bps := bits / 8
			frame := channels * bps
			n := size / frame
			out := make([]float32, n)
			for i := 0; i < n; i++ {
				s := 0.0
				for c := 0; c < channels; c++ {
					o := body[i*frame+c*bps:]
					var v float64
					switch {
					case format == 3 && bits == 32:
						v = float64(math.Float32frombits(le.Uint32(o)))
					case format == 3:
						v = math.Float64frombits(le.Uint64(o))
					case bits == 8:
						v = (float64(o[0]) - 128) / 128
					case bits == 16:
						v = float64(int16(le.Uint16(o))) / 32768
					case bits == 24:
						v = float64(int32(uint32(o[0])<<8|uint32(o[1])<<16|uint32(o[2])<<24)) / (1 << 31)
					default:
						v = float64(int32(le.Uint32(o))) / (1 << 31)
					}
					s += v
				}
				out[i] = float32(s / float64(channels))
			}
			return out, rate, nil
		}
		p += 8 + size + size&1
	}
	return nil, 0, errors.New("wav: no data chunk")
}

// EncodeWAV16 writes mono 16-bit PCM (samples clipped to [-1, 1], rounded to the nearest step;
// internal/wavfile, which the page's audio player shares).
func EncodeWAV16(pcm []float32, rate int) []byte { return wavfile.Encode16(pcm, rate) }
