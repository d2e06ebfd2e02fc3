package ui

import (
	"fmt"

	"github.com/i2m2-wasm/i2m2/internal/speech"
)

// What the lab tells a person about a recording or a drawing it cannot read well. The model
// would still answer (features normalise level and position), but an answer about silence, a
// click or a blank pad means nothing, so those are refused; a clipped recording is used, with a
// warning.
const (
	minRecordSeconds = 0.25  // shorter recordings are refused
	silentPeak       = 0.003 // about -50 dBFS: nothing above it is silence
	clipLevel        = 0.99  // samples at or above this magnitude are clipped
	clipFraction     = 0.002 // more than 0.2% of samples clipped: a clipped recording
	minSpeechSeconds = 0.08  // speech shorter than this is a click, not a word
	minInkFraction   = 0.01  // a drawing inking less than 1% of the pad is empty (a tap leaves a dot)
)

// CheckRecording judges a recording: problem is "" when it is fine; usable says whether it can
// still be used (a clipped recording can, a silent or too short one cannot).
func CheckRecording(pcm []float32, rate int) (problem string, usable bool) {
	return checkSound(pcm, rate, "")
}

// CheckSoundFile is CheckRecording for a sound file the person picked (named file): the same
// rules, in words about the file rather than the microphone.
func CheckSoundFile(file string, pcm []float32, rate int) (problem string, usable bool) {
	return checkSound(pcm, rate, file)
}

func checkSound(pcm []float32, rate int, file string) (problem string, usable bool) {
	say := func(mic, f string) string {
		if file == "" {
			return mic
		}
		return file + f
	}
	if rate <= 0 || float64(len(pcm)) < minRecordSeconds*float64(rate) {
		secs := float64(len(pcm)) / float64(max(rate, 1))
		return fmt.Sprintf(say("The recording is too short (%.2f s): hold the microphone open and say one digit.",
			" is too short (%.2f s) to hold a spoken digit."), secs), false
	}
	peak, clipped := 0.0, 0
	for _, v := range pcm {
		a := float64(v)
		if a < 0 {
			a = -a
		}
		if a > peak {
			peak = a
		}
		if a >= clipLevel {
			clipped++
		}
	}
	if peak < silentPeak {
		return say("The recording is silent: check that the right microphone is on and not muted, then say a digit.",
			" is silent: it holds no spoken digit."), false
	}
	if speechSeconds(pcm, rate) < minSpeechSeconds {
		return say("The recording is too short to be a word (only a click or a very short sound): say a whole digit.",
			" is too short to be a word (only a click or a very short sound)."), false
	}
	if float64(clipped) > clipFraction*float64(len(pcm)) {
		return say("The recording is clipped (too loud): it was used, but move back from the microphone or speak more softly for a fair reading.",
			" is clipped (too loud): it was used, but a quieter recording gives a fairer reading."), true
	}
	return "", true
}

// CheckDrawing says whether the pad's canvas (RGBA, ink in alpha on a transparent canvas) holds a
// drawing: "" when it does.
func CheckDrawing(rgba []byte) string {
	ink, n := 0, len(rgba)/4
	for i := 3; i < len(rgba); i += 4 {
		if rgba[i] > 0 {
			ink++
		}
	}
	if n == 0 || float64(ink) < minInkFraction*float64(n) {
		return "The pad is empty: draw a whole digit on it (a tap leaves only a dot)."
	}
	return ""
}

// speechSeconds is how long the speech lasts: the frames speech.Frames judges to be speech (20 ms
// frames, 10 ms hop, as features.AudioFromPCM's step 2), counted from the first to the last, here
// at the recording's own rate.
func speechSeconds(pcm []float32, rate int) float64 {
	fl, hop := rate/50, rate/100
	if fl < 1 || hop < 1 || len(pcm) < fl {
		return float64(len(pcm)) / float64(max(rate, 1))
	}
	first, last := speech.Frames(pcm, fl, hop)
	if first < 0 {
		return 0
	}
	return float64((last-first)*hop+fl) / float64(rate)
}
