package dataset

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// DecodeWAV parses a RIFF/WAVE file with 8-bit unsigned or 16-bit signed PCM (mono, or the first
// channel of multi-channel audio) and returns samples in [-1, 1) and the sample rate. It accepts the
// 0xFFFFFFFF data sizes that synthesisers writing to pipes produce.
func DecodeWAV(b []byte) ([]float32, int, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("wav: not a RIFF/WAVE file")
	}
	var (
		rate, channels, bits int
		haveFmt              bool
	)
	p := 12
	for p+8 <= len(b) {
		id := string(b[p : p+4])
		size := int(binary.LittleEndian.Uint32(b[p+4 : p+8]))
		body := b[p+8:]
		if size > len(body) || size < 0 {
			size = len(body)
		}
		switch id {
		case "fmt ":
			if size < 16 {
				return nil, 0, errors.New("wav: short fmt chunk")
			}
			format := binary.LittleEndian.Uint16(body[0:2])
			if format != 1 && format != 0xFFFE {
				return nil, 0, fmt.Errorf("wav: unsupported format %d (want PCM)", format)
			}
			channels = int(binary.LittleEndian.Uint16(body[2:4]))
			rate = int(binary.LittleEndian.Uint32(body[4:8]))
			bits = int(binary.LittleEndian.Uint16(body[14:16]))
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, 0, errors.New("wav: data before fmt")
			}
			if channels < 1 || (bits != 8 && bits != 16) {
				return nil, 0, fmt.Errorf("wav: unsupported %d channels, %d bits", channels, bits)
			}
			frame := channels * bits / 8
			n := size / frame
			out := make([]float32, n)
			for i := 0; i < n; i++ {
				o := i * frame
				if bits == 16 {
					out[i] = float32(int16(binary.LittleEndian.Uint16(body[o:o+2]))) / 32768
				} else {
					out[i] = (float32(body[o]) - 128) / 128
				}
			}
			return out, rate, nil
		}
		p += 8 + size + size&1
	}
	return nil, 0, errors.New("wav: no data chunk")
}
