package dataset

import (
	"bytes"
	"strings"
	"testing"

	"github.com/i2m2-wasm/i2m2/features"
)

// TestLoadRealValSpeaker: leave-one-speaker-out validation holds out every recording of the named
// training speaker (clean: its spectrograms are the recordings' own), trains on the other two, and
// refuses test speakers and unknown names.
func TestLoadRealValSpeaker(t *testing.T) {
	if testing.Short() {
		t.Skip("featurises the FSDD recordings")
	}
	for _, c := range []struct {
		name, val string
		err       bool
	}{{"jackson held out", "jackson", false}, {"test speaker", "lucas", true}, {"unknown", "nobody", true}} {
		t.Run(c.name, func(t *testing.T) {
			opt := RealOptions{Limit: 300, Copies: 1, Synthetic: true, ValSpeaker: c.val}
			tr, va, err := LoadReal(opt)
			if c.err {
				if err == nil || !strings.Contains(err.Error(), "ValSpeaker") {
					t.Fatalf("err %v, want a ValSpeaker error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			fs, err := LoadFSDD(mustDataDir(t))
			if err != nil {
				t.Fatal(err)
			}
			var jackson []int // the validation pool: jackson's recordings in file order, one version each
			for i := 0; i < fs.N; i++ {
				if FSDDSpeakers[fs.Speaker[i]] == "jackson" {
					jackson = append(jackson, i)
				}
			}
			distinct := map[int32]bool{}
			for i := 0; i < va.N; i++ {
				c := va.Clips[i]
				if va.Voices[i] != "fsdd:jackson" || int(c) >= len(jackson) || fs.Labels[jackson[c]] != va.Labels[i] {
					t.Fatalf("validation sample %d: voice %s, clip %d", i, va.Voices[i], c)
				}
				distinct[c] = true
				if i%50 == 0 { // as recorded: no augmentation
					q, err := features.AudioLevels(fs.PCM(jackson[c]), FSDDRate)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(q, va.Audio[i*AudioSize:(i+1)*AudioSize]) {
						t.Fatalf("validation sample %d is not recording %s as recorded", i, fs.Name(jackson[c]))
					}
				}
			}
			if len(distinct) < 250 {
				t.Errorf("validation uses %d distinct recordings of 500", len(distinct))
			}
			seen := map[string]bool{}
			for _, v := range tr.Voices {
				seen[v] = true
			}
			if seen["fsdd:jackson"] || !seen["fsdd:george"] || !seen["fsdd:yweweler"] || seen["fsdd:lucas"] || seen["fsdd:theo"] {
				t.Errorf("training voices %v", seen)
			}
		})
	}
}

func mustDataDir(t *testing.T) string {
	t.Helper()
	d, err := DataDir("")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSyntheticEvery: the synthetic voices' clips of a split are thinned to every n-th one.
func TestSyntheticEvery(t *testing.T) {
	_, bank, _, err := LoadBank(mustDataDir(t))
	if err != nil {
		t.Fatal(err)
	}
	fs := smallFSDD()
	nTrain := 0
	for _, s := range bank.Splits {
		if s == ClipTrain {
			nTrain++
		}
	}
	for _, every := range []int{0, 1, 3, 7} {
		p, err := realPool(fs, bank, ClipTrain, -1, RealOptions{Copies: 1, Synthetic: true, SyntheticEvery: every}, NewRNG(1))
		if err != nil {
			t.Fatal(err)
		}
		synth := 0
		for _, v := range p.voices {
			if !strings.HasPrefix(v, "fsdd:") {
				synth++
			}
		}
		if want := (nTrain + max(1, every) - 1) / max(1, every); synth != want {
			t.Errorf("SyntheticEvery %d: %d synthetic clips, want %d of %d", every, synth, want, nTrain)
		}
	}
}
