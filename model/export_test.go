package model

// Test-only names for the external tests (hostile_test.go): the budget and the cost it
// limits, which callers see only through Read's errors.
var (
	ErrBudget     = errBudget
	DefaultBudget = defaultBudget
)

type BudgetError = budgetError

func (m *Model) Cost() workCost { return m.cost() }
func (c workCost) Ops() int64   { return c.ops() }

// The builders of model/arch and model/quant, for this package's own tests, which cannot
// import them (they import this package). hooks_test.go (package model_test) sets them.
var (
	BuildAVMNIST func(h, w, k int) (*Model, error)
	InitRandom   func(m *Model, seed uint64) error
	Quantize     func(m *Model) error
)
