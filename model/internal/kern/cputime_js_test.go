//go:build js

package kern

import "syscall/js"

// cpuTime is node's process.cpuUsage() (user+system) in seconds; 0 in a
// browser, which has no such clock.
func cpuTime() float64 {
	p := js.Global().Get("process")
	if p.IsUndefined() || p.Get("cpuUsage").IsUndefined() {
		return 0
	}
	u := p.Call("cpuUsage")
	return (u.Get("user").Float() + u.Get("system").Float()) / 1e6
}
