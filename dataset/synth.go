package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Digits are the words synthesised for classes 0..9.
var Digits = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// Test voices, held out entirely (never in train or validation).
var TestVoices = map[string]bool{
	"espeak-ng:en-gb-scotland": true,
	"espeak-ng:en-us-nyc":      true,
	"flite:slt":                true,
	"festival:ked_diphone":     true,
}

// ClipSpec is one clip to synthesise.
type ClipSpec struct {
	Voice string   // engine:voice, e.g. "flite:awb"
	Digit int      // 0..9
	Split uint8    // ClipTrain, ClipVal or ClipTest
	Cmd   []string // synthesiser command (espeak-ng, flite) or festival scheme lines
	Rate  float64  // playback-rate factor applied after synthesis (pitch and tempo together)
	Desc  string
}

// key identifies the synthesiser output (not the rate factor) for the WAV cache.
func (c *ClipSpec) key() string {
	h := sha256.Sum256([]byte(strings.Join(c.Cmd, "\x00")))
	return hex.EncodeToString(h[:12])
}

var espeakVariants = []string{"Adam", "Alex", "Alicia", "Andrea", "Andy", "Annie", "Antonio", "Auntie",
	"Belinda", "Benjamin", "Boris", "Caleb", "David", "Denis", "Diogo", "Ed", "Edward", "Edward2", "Gene",
	"Gene2", "Gustave", "Henrique", "Hugo", "Iven", "Iven2", "Iven3", "Iven4", "Jacky", "John", "Kaukovalta",
	"Lee", "Linda", "Marcelo", "Marco", "Mario", "Max", "Michael", "Michel", "Miguel", "Mike", "Mr_Serious",
	"Nguyen", "Pablo", "Paul", "Pedro", "Quincy", "RicishayMax", "RicishayMax2", "RicishayMax3", "Rob",
	"Robert", "Robosoft", "Robosoft2", "Robosoft3", "Robosoft4", "Robosoft5", "Robosoft6", "Robosoft7",
	"Robosoft8", "Steph", "Steph2", "Steph3", "Storm", "Tweaky", "UniversalRobot", "Zac", "anika",
	"anxiousAndy", "female2", "female3", "female4", "female5", "grandpa", "klatt", "klatt2", "klatt3",
	"klatt4", "klatt5", "klatt6", "male2", "male3", "male4", "male5", "male6", "male7", "norbert", "sandro",
	"shelby", "travis", "victor", "male8", "female1", "croak", "male1", "grandma", ""}

// PlanSeed fixes every random choice of the clip plan (variants, pitch, speed, rate, validation).
const PlanSeed = 7001

// Plan returns the clips to synthesise (deterministic). Per digit: espeak-ng 70 clips for each of 6
// train accents and 60 for each of 2 test accents; flite 30 for each of kal, kal16, awb, rms and 80 for
// slt (test); festival 50 for kal_diphone and 80 for ked_diphone (test). 10% of each train voice's
// clips of each digit (seeded) are validation clips.
func Plan() []ClipSpec {
	r := NewRNG(PlanSeed)
	var out []ClipSpec
	add := func(voice string, digit int, cmd []string, desc string) {
		sp := uint8(ClipTrain)
		if TestVoices[voice] {
			sp = ClipTest
		}
		rate := 0.9 + 0.2*r.Float64()
		rate = float64(int(rate*1000+0.5)) / 1000
		out = append(out, ClipSpec{Voice: voice, Digit: digit, Split: sp, Cmd: cmd, Rate: rate,
			Desc: fmt.Sprintf("%s; rate x%.3f", desc, rate)})
	}
	type acc struct {
		name string
		n    int
	}
	for _, a := range []acc{{"en-us", 70}, {"en-gb", 70}, {"en-gb-x-rp", 70}, {"en-gb-x-gbclan", 70},
		{"en-gb-x-gbcwmd", 70}, {"en-029", 70}, {"en-gb-scotland", 60}, {"en-us-nyc", 60}} {
		for d := 0; d < 10; d++ {
			for k := 0; k < a.n; k++ {
				v := a.name
				if vv := espeakVariants[r.Intn(len(espeakVariants))]; vv != "" {
					v += "+" + vv
				}
				p := 20 + r.Intn(61)
				s := 120 + r.Intn(101)
				cmd := []string{"espeak-ng", "-v", v, "-p", fmt.Sprint(p), "-s", fmt.Sprint(s), Digits[d]}
				add("espeak-ng:"+a.name, d, cmd, fmt.Sprintf("espeak-ng -v %s -p %d -s %d", v, p, s))
			}
		}
	}
	for _, a := range []acc{{"kal", 30}, {"kal16", 30}, {"awb", 30}, {"rms", 30}, {"slt", 80}} {
		for d := 0; d < 10; d++ {
			for k := 0; k < a.n; k++ {
				st := 0.8 + 0.55*r.Float64()
				f0 := 80 + r.Intn(121)
				cmd := []string{"flite", "-voice", a.name, "--setf", fmt.Sprintf("duration_stretch=%.2f", st),
					"--setf", fmt.Sprintf("int_f0_target_mean=%d", f0), "-t", Digits[d]}
				add("flite:"+a.name, d, cmd, fmt.Sprintf("flite -voice %s duration_stretch=%.2f int_f0_target_mean=%d", a.name, st, f0))
			}
		}
	}
	for _, a := range []acc{{"kal_diphone", 50}, {"ked_diphone", 80}} {
		for d := 0; d < 10; d++ {
			for k := 0; k < a.n; k++ {
				st := 0.8 + 0.55*r.Float64()
				f0 := 80 + r.Intn(101)
				cmd := []string{fmt.Sprintf("(voice_%s)", a.name),
					fmt.Sprintf("(Parameter.set 'Duration_Stretch %.2f)", st),
					fmt.Sprintf("(set! int_lr_params '((target_f0_mean %d) (target_f0_std %d) (model_f0_mean 170) (model_f0_std 34)))", f0, f0/8),
					fmt.Sprintf("(set! u (Utterance Text %q))", Digits[d])}
				add("festival:"+a.name, d, cmd, fmt.Sprintf("festival %s Duration_Stretch %.2f target_f0_mean %d", a.name, st, f0))
			}
		}
	}
	// validation: 10% of each (train voice, digit) group
	groups := map[string][]int{}
	var order []string
	for i, c := range out {
		if c.Split == ClipTrain {
			k := fmt.Sprintf("%s/%d", c.Voice, c.Digit)
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], i)
		}
	}
	for _, k := range order {
		g := groups[k]
		p := r.Perm(len(g))
		for _, j := range p[:len(g)/10] {
			out[g[j]].Split = ClipVal
		}
	}
	return out
}

// Synthesize renders every clip into cacheDir (skipping files already there) and returns the WAV
// paths. espeak-ng and flite run once per clip; festival runs in batches of scheme commands.
func Synthesize(specs []ClipSpec, cacheDir string, logf func(string, ...any)) ([]string, error) {
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, err
	}
	paths := make([]string, len(specs))
	var todo []int
	queued := map[string]bool{}
	for i := range specs {
		paths[i] = filepath.Join(cacheDir, specs[i].key()+".wav")
		if st, err := os.Stat(paths[i]); (err != nil || st.Size() < 100) && !queued[paths[i]] {
			queued[paths[i]] = true // identical commands (same options drawn twice) are rendered once
			todo = append(todo, i)
		}
	}
	logf("synthesising %d of %d clips into %s", len(todo), len(specs), cacheDir)
	// jobs: single clips, or festival batches
	var jobs [][]int
	var fest []int
	for _, i := range todo {
		if strings.HasPrefix(specs[i].Voice, "festival:") {
			fest = append(fest, i)
		} else {
			jobs = append(jobs, []int{i})
		}
	}
	for len(fest) > 0 {
		n := min(50, len(fest))
		jobs = append(jobs, fest[:n])
		fest = fest[n:]
	}
	ch := make(chan []int)
	errs := make(chan error, len(jobs))
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range ch {
				if err := runJob(specs, paths, job); err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				done += len(job)
				if done/500 != (done-len(job))/500 {
					logf("  %d/%d", done, len(todo))
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return paths, nil
}

func runJob(specs []ClipSpec, paths []string, job []int) error {
	s := specs[job[0]]
	tmp := paths[job[0]] + ".tmp"
	switch {
	case strings.HasPrefix(s.Voice, "espeak-ng:"):
		args := append([]string{s.Cmd[1], s.Cmd[2], s.Cmd[3], s.Cmd[4], s.Cmd[5], s.Cmd[6], "-w", tmp}, s.Cmd[7:]...)
		if out, err := exec.Command("espeak-ng", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("espeak-ng %v: %v: %s", args, err, out)
		}
		return os.Rename(tmp, paths[job[0]])
	case strings.HasPrefix(s.Voice, "flite:"):
		args := append(append([]string{}, s.Cmd[1:]...), "-o", tmp)
		if out, err := exec.Command("flite", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("flite %v: %v: %s", args, err, out)
		}
		return os.Rename(tmp, paths[job[0]])
	default: // festival batch
		var b strings.Builder
		for _, i := range job {
			for _, l := range specs[i].Cmd {
				b.WriteString(l + "\n")
			}
			fmt.Fprintf(&b, "(utt.synth u)\n(utt.save.wave u %q 'riff)\n", paths[i]+".tmp")
		}
		scm := paths[job[0]] + ".scm"
		if err := os.WriteFile(scm, []byte(b.String()), 0o644); err != nil {
			return err
		}
		if out, err := exec.Command("festival", "-b", scm).CombinedOutput(); err != nil {
			return fmt.Errorf("festival %s: %v: %s", scm, err, out)
		}
		os.Remove(scm)
		for _, i := range job {
			if err := os.Rename(paths[i]+".tmp", paths[i]); err != nil {
				return fmt.Errorf("festival did not write %s: %v", paths[i], err)
			}
		}
		return nil
	}
}
