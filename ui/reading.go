package ui

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Reading is a one-line account of what a swap did, comparing the prediction for the intact pair
// (base) with the prediction for what is shown now (now), for the model described by d; srcs are
// the inputs shown now and truth the class they should get (-1 unknown). With no swap it says
// whether the experts agree.
func Reading(d *ModelDesc, base, now *Prediction, srcs []Source, truth int) string {
	if now == nil {
		return ""
	}
	swapped := false
	for _, s := range srcs {
		swapped = swapped || !s.Intact
	}
	if !swapped || base == nil {
		return agreement(d, now, truth)
	}
	var parts []string
	// The intra experts: each sees one modality, so only a swap of its own can move it.
	intra, moved, told := 0, 0, 0 // intra experts, those that moved, those described by followed
	for e, ex := range d.Experts {
		if !ex.Intra || len(ex.Inputs) != 1 {
			continue
		}
		intra++
		k := d.Modality(ex.Inputs[0])
		b, n := distAt(base, e), distAt(now, e)
		if moves(b, n) {
			moved++
		}
		if k < 0 || k >= len(srcs) || srcs[k].Intact {
			if moves(b, n) {
				parts = append(parts, fmt.Sprintf("the %s expert moved (%s → %s)", ex.Name, topOf(d, b), topOf(d, n)))
			}
			continue
		}
		if digitClasses(d.Classes) || n == nil {
			parts = append(parts, followed(d, ex.Name, kindOf(ex.Inputs[0]), srcs[k], b, n))
			told++
		} else if moves(b, n) {
			parts = append(parts, fmt.Sprintf("the %s expert moved (%s → %s)", ex.Name, topOf(d, b), topOf(d, n)))
		}
	}
	if moved == 0 && intra > 0 && told == 0 {
		s := "no intra expert moved (each sees one modality)"
		switch intra {
		case 1:
			s = "the intra expert did not move"
		case 2:
			s = "neither intra expert moved (each sees one modality)"
		}
		parts = append(parts, s)
	}
	// Did the swap break the pairing (the modalities now show different digits)?
	broke := pairingBroke(srcs)
	for e, ex := range d.Experts {
		if ex.Intra {
			continue
		}
		bi, ni := distAt(base, e), distAt(now, e)
		if bi == nil || ni == nil {
			continue
		}
		why := ""
		if broke {
			why = " because the pairing broke"
		}
		switch dp := ni.Probs[bi.Label] - bi.Conf(); {
		case ni.Label != bi.Label && len(d.Classes) == 2:
			parts = append(parts, fmt.Sprintf("the %s expert flipped from %s to %s (%s)%s", ex.Name, d.ClassName(bi.Label), d.ClassName(ni.Label), pct(ni.Conf()), why))
		case ni.Label != bi.Label:
			parts = append(parts, fmt.Sprintf("the %s expert switched from %s to %s%s", ex.Name, d.ClassName(bi.Label), d.ClassName(ni.Label), why))
		case dp < -0.1:
			parts = append(parts, fmt.Sprintf("the %s expert lost confidence (%s → %s)%s", ex.Name, pct(bi.Conf()), pct(ni.Conf()), why))
		case dp > 0.1:
			parts = append(parts, fmt.Sprintf("the %s expert grew more confident (%s → %s)", ex.Name, pct(bi.Conf()), pct(ni.Conf())))
		default:
			parts = append(parts, fmt.Sprintf("the %s expert barely moved (%s on %s)", ex.Name, pct(ni.Conf()), d.ClassName(ni.Label)))
		}
	}
	bf, nf := base.Final, now.Final
	side := sideOf(d, now, nf.Label, srcs)
	if nf.Label == bf.Label {
		parts = append(parts, fmt.Sprintf("the combination kept %s%s", d.ClassName(nf.Label), side))
	} else {
		parts = append(parts, fmt.Sprintf("the combination switched from %s to %s%s", d.ClassName(bf.Label), d.ClassName(nf.Label), side))
	}
	if truth >= 0 {
		if nf.Label == truth {
			parts[len(parts)-1] += " (right)"
		} else {
			parts[len(parts)-1] += fmt.Sprintf(" (wrong: the answer is %s)", d.ClassName(truth))
		}
	}
	s := strings.Join(parts, "; ") + "."
	return strings.ToUpper(s[:1]) + s[1:]
}

func distAt(p *Prediction, e int) *Dist {
	if p == nil || e >= len(p.Experts) {
		return nil
	}
	return p.Experts[e]
}

// moves reports whether an expert's answer changed noticeably: its distribution moved by 0.2 or
// more in total variation (half the L1 distance; for two classes, the change of either
// probability). A top class that changes while the distribution barely moves (an expert at chance
// whose 51% yes becomes 50% no) is not a move.
func moves(b, n *Dist) bool {
	if (b == nil) != (n == nil) {
		return true
	}
	if b == nil || len(b.Probs) != len(n.Probs) {
		return false
	}
	tv := 0.0
	for i := range b.Probs {
		tv += math.Abs(b.Probs[i] - n.Probs[i])
	}
	return tv/2 >= 0.2
}

func topOf(d *ModelDesc, x *Dist) string {
	if x == nil {
		return "not used"
	}
	return d.ClassName(x.Label) + " " + pct(x.Conf())
}

// followed describes how the intra expert of a swapped modality responded to its new input (k is
// the modality's kind, src its new input).
func followed(d *ModelDesc, name string, k kind, src Source, before, after *Dist) string {
	if after == nil {
		return fmt.Sprintf("the %s expert was not used", name)
	}
	thing, c := k.Noun, d.ClassName(after.Label)
	switch src.Kind {
	case FromPair:
		want := d.Class(strconv.Itoa(src.Digit))
		switch {
		case after.Label == want:
			return fmt.Sprintf("the %s expert followed the new %s (%s, %s)", name, thing, c, pct(after.Conf()))
		case before != nil && after.Label == before.Label:
			return fmt.Sprintf("the %s expert still says %s although the new %s shows %d", name, c, thing, src.Digit)
		default:
			return fmt.Sprintf("the %s expert reads the new %s (a %d) as %s", name, thing, src.Digit, c)
		}
	case Drawing, Voice:
		return fmt.Sprintf("the %s expert reads %s as %s (%s)", name, src.Describe(k), c, pct(after.Conf()))
	}
	if after.Conf() < 0.5 {
		return fmt.Sprintf("the %s expert has little to go on in %s (%s on %s)", name, src.Describe(k), pct(after.Conf()), c)
	}
	return fmt.Sprintf("the %s expert still picks %s from %s (%s)", name, c, src.Describe(k), pct(after.Conf()))
}

// pairingBroke reports whether the modalities no longer show one digit.
func pairingBroke(srcs []Source) bool {
	ds := digitsOf(srcs)
	d := -3
	for _, x := range ds {
		switch {
		case x == -2:
		case x == -1:
			return true
		case d != -3 && x != d:
			return true
		default:
			d = x
		}
	}
	return false
}

// sideOf names the expert whose top class c the combination follows: for digit classes an intra
// expert, preferring one whose modality was not swapped ("the image's digit"); otherwise, and
// failing that, the most confident expert that picks c.
func sideOf(d *ModelDesc, p *Prediction, c int, srcs []Source) string {
	if digitClasses(d.Classes) {
		for _, intact := range []bool{true, false} {
			for e, ex := range d.Experts {
				n := distAt(p, e)
				if !ex.Intra || len(ex.Inputs) != 1 || n == nil || n.Label != c {
					continue
				}
				k := d.Modality(ex.Inputs[0])
				if k < 0 || k >= len(srcs) || srcs[k].Intact != intact {
					continue
				}
				if intact {
					return ", the " + kindOf(ex.Inputs[0]).Noun + "'s digit"
				}
				return ", siding with the " + ex.Name + " expert"
			}
		}
	}
	best := -1
	for e := range d.Experts {
		if n := distAt(p, e); n != nil && n.Label == c && (best < 0 || n.Conf() > distAt(p, best).Conf()) {
			best = e
		}
	}
	if best < 0 {
		return ""
	}
	return ", siding with the " + d.Experts[best].Name + " expert"
}

// agreement describes an intact pair's prediction.
func agreement(d *ModelDesc, p *Prediction, truth int) string {
	f := d.ClassName(p.Final.Label)
	verdict := ""
	switch {
	case truth < 0:
	case p.Final.Label == truth:
		verdict = ", right"
	default:
		verdict = ", wrong: the answer is " + d.ClassName(truth)
	}
	var says []string
	same := true
	for e, ex := range d.Experts {
		n := distAt(p, e)
		if n == nil {
			return fmt.Sprintf("Only some experts ran; I2M2 says %s (%s%s).", f, pct(p.Final.Conf()), verdict)
		}
		says = append(says, ex.Name+" "+d.ClassName(n.Label))
		same = same && n.Label == p.Experts[0].Label
	}
	if same {
		all := "All " + spell(len(d.Experts)) + " experts say"
		if len(d.Experts) == 1 {
			all = "The expert says"
		}
		return fmt.Sprintf("%s %s; I2M2 gives it %s%s.", all, d.ClassName(p.Experts[0].Label), pct(p.Final.Conf()), verdict)
	}
	return fmt.Sprintf("The experts disagree (%s); the product picks %s (%s%s).", strings.Join(says, ", "), f, pct(p.Final.Conf()), verdict)
}

// spell spells small numbers.
func spell(n int) string {
	if n >= 0 && n < 10 {
		return [...]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}[n]
	}
	return strconv.Itoa(n)
}

func pct(p float64) string {
	if p > 0.995 && p < 1 {
		return ">99%"
	}
	return fmt.Sprintf("%.0f%%", 100*p)
}

// Ranking lists the k most likely classes of x with their probabilities, most likely first
// ("7 92%, 1 5%, 9 2%"); ties go to the earlier class.
func Ranking(d *ModelDesc, x *Dist, k int) string {
	k = min(max(k, 0), len(x.Probs))
	idx := make([]int, len(x.Probs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x.Probs[idx[a]] > x.Probs[idx[b]] })
	parts := make([]string, k)
	for i, j := range idx[:k] {
		parts[i] = fmt.Sprintf("%s %s", d.ClassName(j), pct(x.Probs[j]))
	}
	return strings.Join(parts, ", ")
}
