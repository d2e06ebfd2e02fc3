package train

import "time"

// stage is what Fit and FitHeads share around their batch loops: the optimiser's state reset, the
// epoch size, and the model selection of the reference code (the experts' state with the best
// validation accuracy is kept; Config.Patience stops early).
type stage[T Float] struct {
	cfg    Config
	params []*Param[T]
	logf   func(format string, a ...any)
	h      *History
	nEp    int // samples per epoch
	best   [][][]T
	stale  int
	start  time.Time
}

func newStage[T Float](experts []*Expert[T], n int, cfg Config) *stage[T] {
	s := &stage[T]{cfg: cfg, logf: cfg.Log, nEp: n, start: time.Now()}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	for _, e := range experts {
		s.params = append(s.params, e.Params()...)
	}
	for _, p := range s.params {
		clear(p.V)
	}
	if cfg.EpochSize > 0 && cfg.EpochSize < n {
		s.nEp = cfg.EpochSize
	}
	s.h = &History{Name: cfg.Name, BestValAcc: -1, Samples: s.nEp}
	return s
}

// epochDone records e, snapshots the experts when e has the best validation accuracy so far,
// logs, and reports whether to stop.
func (s *stage[T]) epochDone(experts []*Expert[T], e Epoch) (stop bool) {
	s.h.Epochs = append(s.h.Epochs, e)
	mark := ""
	if e.ValAcc > s.h.BestValAcc {
		s.h.BestValAcc, s.h.BestEpoch, s.stale = e.ValAcc, e.Epoch, 0
		s.best = s.best[:0]
		for _, ex := range experts {
			s.best = append(s.best, ex.Snapshot())
		}
		mark = " *"
	} else {
		s.stale++
	}
	s.logf("%s epoch %d/%d: train loss %.4f acc %.2f%% | val loss %.4f acc %.2f%% | %.1fs%s",
		s.cfg.Name, e.Epoch, s.cfg.Epochs, e.TrainLoss, e.TrainAcc, e.ValLoss, e.ValAcc, e.Seconds, mark)
	if s.cfg.Patience > 0 && s.stale >= s.cfg.Patience {
		s.logf("%s: early stop (no better validation accuracy for %d epochs)", s.cfg.Name, s.stale)
		return true
	}
	return false
}

// done leaves the experts in their best state and returns the history.
func (s *stage[T]) done(experts []*Expert[T]) *History {
	for i, ex := range experts {
		ex.Restore(s.best[i])
	}
	s.h.Seconds = time.Since(s.start).Seconds()
	return s.h
}
