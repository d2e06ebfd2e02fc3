// Package wavfile writes mono 16-bit PCM RIFF/WAVE files: the exported FSDD clips
// (dataset.EncodeWAV16) and the page's audio player. Standard library only, so the browser
// build (ui/) can link it without the dataset package.
package wavfile

import (
	"encoding/binary"
	"math"
)

// Encode16 writes pcm (nominally in [-1, 1]) at rate Hz as a 16-bit PCM WAV file: each sample
// clipped to [-1, 1] and scaled by 32768, rounded to the nearest step (so a 16-bit value v read
// as v/32768 is written back as v), +1 saturating at 32767.
func Encode16(pcm []float32, rate int) []byte {
	le := binary.LittleEndian
	b := make([]byte, 44+2*len(pcm))
	copy(b, "RIFF")
	le.PutUint32(b[4:], uint32(36+2*len(pcm)))
	copy(b[8:], "WAVEfmt ")
	le.PutUint32(b[16:], 16)
	le.PutUint16(b[20:], 1) // PCM
	le.PutUint16(b[22:], 1) // mono
	le.PutUint32(b[24:], uint32(rate))
	le.PutUint32(b[28:], uint32(2*rate)) // bytes per second
	le.PutUint16(b[32:], 2)              // bytes per frame
	le.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	le.PutUint32(b[40:], uint32(2*len(pcm)))
	for i, v := range pcm {
		s := math.Round(math.Max(-1, math.Min(1, float64(v))) * 32768)
		le.PutUint16(b[44+2*i:], uint16(int16(math.Min(32767, s))))
	}
	return b
}
