package ui

import (
	"fmt"
	"sort"
	"strings"
)

// Reading is a one-line account of what a swap did, comparing the prediction for the intact pair
// (base) with the prediction for what is shown now (now). cur is the chosen pair, label its digit. With no swap
// it says whether the experts agree.
func Reading(base, now *Prediction, cur, label int, img, aud Source) string {
	if now == nil {
		return ""
	}
	iSw := img.Kind != FromPair || img.Pair != cur
	aSw := aud.Kind != FromPair || aud.Pair != cur
	if !iSw && !aSw || base == nil {
		return agreement(now, label)
	}
	var parts []string
	if iSw {
		parts = append(parts, followed("image", "image", img, base.Image, now.Image))
	}
	if aSw {
		parts = append(parts, followed("audio", "clip", aud, base.Audio, now.Audio))
	}
	// Did the swap break the pairing (the two modalities now show different digits)?
	broke := pairingBroke(img, aud, label)
	if bi, ni := base.Inter, now.Inter; bi != nil && ni != nil {
		why := ""
		if broke {
			why = " because the pairing broke"
		}
		switch d := ni.Probs[bi.Label] - bi.Conf(); {
		case ni.Label != bi.Label:
			parts = append(parts, fmt.Sprintf("the inter expert switched from %d to %d%s", bi.Label, ni.Label, why))
		case d < -0.1:
			parts = append(parts, fmt.Sprintf("the inter expert lost confidence (%s → %s)%s", pct(bi.Conf()), pct(ni.Conf()), why))
		case d > 0.1:
			parts = append(parts, fmt.Sprintf("the inter expert grew more confident (%s → %s)", pct(bi.Conf()), pct(ni.Conf())))
		default:
			parts = append(parts, fmt.Sprintf("the inter expert barely moved (%s on %d)", pct(ni.Conf()), ni.Label))
		}
	}
	bf, nf := base.Final, now.Final
	side := sideOf(now, nf.Label, iSw, aSw)
	if nf.Label == bf.Label {
		parts = append(parts, fmt.Sprintf("the combination kept %d%s", nf.Label, side))
	} else {
		parts = append(parts, fmt.Sprintf("the combination switched from %d to %d%s", bf.Label, nf.Label, side))
	}
	s := strings.Join(parts, "; ") + "."
	return strings.ToUpper(s[:1]) + s[1:]
}

// followed describes how the expert of a swapped modality responded to its new input.
func followed(name, thing string, src Source, before, after *Dist) string {
	if after == nil {
		return fmt.Sprintf("the %s expert was not used", name)
	}
	switch src.Kind {
	case FromPair:
		switch {
		case after.Label == src.Label:
			return fmt.Sprintf("the %s expert followed the new %s (%d, %s)", name, thing, src.Label, pct(after.Conf()))
		case before != nil && after.Label == before.Label:
			return fmt.Sprintf("the %s expert still says %d although the new %s shows %d", name, after.Label, thing, src.Label)
		default:
			return fmt.Sprintf("the %s expert reads the new %s (a %d) as %d", name, thing, src.Label, after.Label)
		}
	case Drawing, Voice:
		return fmt.Sprintf("the %s expert reads %s as %d (%s)", name, src.Describe(), after.Label, pct(after.Conf()))
	}
	if after.Conf() < 0.5 {
		return fmt.Sprintf("the %s expert has little to go on in %s (%s on %d)", name, src.Describe(), pct(after.Conf()), after.Label)
	}
	return fmt.Sprintf("the %s expert still picks %d from %s (%s)", name, after.Label, src.Describe(), pct(after.Conf()))
}

// pairingBroke reports whether the image and the audio no longer show the same digit.
func pairingBroke(img, aud Source, label int) bool {
	il, al := label, label
	if img.Kind == FromPair {
		il = img.Label
	} else {
		il = -1
	}
	if aud.Kind == FromPair {
		al = aud.Label
	} else {
		al = -2
	}
	return il != al
}

// sideOf names the expert whose top digit the combination follows, preferring an unswapped one.
func sideOf(p *Prediction, d int, iSw, aSw bool) string {
	switch {
	case !iSw && p.Image != nil && p.Image.Label == d:
		return ", the image's digit"
	case !aSw && p.Audio != nil && p.Audio.Label == d:
		return ", the clip's digit"
	case p.Image != nil && p.Image.Label == d:
		return ", siding with the image expert"
	case p.Audio != nil && p.Audio.Label == d:
		return ", siding with the audio expert"
	case p.Inter != nil && p.Inter.Label == d:
		return ", siding with the inter expert"
	}
	return ""
}

// agreement describes an intact pair's prediction.
func agreement(p *Prediction, label int) string {
	if p.Image == nil || p.Audio == nil || p.Inter == nil {
		return fmt.Sprintf("Only some experts ran; I2M2 says %d (%s).", p.Final.Label, pct(p.Final.Conf()))
	}
	i, a, x, f := p.Image.Label, p.Audio.Label, p.Inter.Label, p.Final.Label
	verdict := "right"
	if f != label {
		verdict = fmt.Sprintf("wrong: the pair is a %d", label)
	}
	if i == a && a == x {
		return fmt.Sprintf("All three experts say %d; I2M2 gives it %s (%s).", f, pct(p.Final.Conf()), verdict)
	}
	return fmt.Sprintf("The experts disagree (image %d, audio %d, inter %d); the product picks %d (%s, %s).", i, a, x, f, pct(p.Final.Conf()), verdict)
}

func pct(p float64) string {
	if p > 0.995 && p < 1 {
		return ">99%"
	}
	return fmt.Sprintf("%.0f%%", 100*p)
}

// Ranking lists the k most likely digits of d with their probabilities, most likely first
// ("7 92%, 1 5%, 9 2%"); ties go to the smaller digit.
func Ranking(d *Dist, k int) string {
	k = min(max(k, 0), Digits)
	idx := make([]int, Digits)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return d.Probs[idx[a]] > d.Probs[idx[b]] })
	parts := make([]string, k)
	for i, j := range idx[:k] {
		parts[i] = fmt.Sprintf("%d %s", j, pct(d.Probs[j]))
	}
	return strings.Join(parts, ", ")
}
