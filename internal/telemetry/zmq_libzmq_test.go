package telemetry

import (
	"bufio"
	"context"
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// subscriberPy receives argv[3] messages on a libzmq SUB socket and
// parses each as upstream's telemetry_subscriber.py does: JSON when it
// starts with "{", else the topic up to the first space, then JSON. It
// prints "<topic>\t<json>" per message.
const subscriberPy = `
import json, sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.SUB)
s.setsockopt(zmq.RCVTIMEO, 10000)
s.connect(sys.argv[1])
s.setsockopt_string(zmq.SUBSCRIBE, sys.argv[2])
print("ready", flush=True)
for _ in range(int(sys.argv[3])):
    msg = s.recv_string()
    if msg.startswith("{"):
        topic, data = "", json.loads(msg)
    else:
        topic, _, rest = msg.partition(" ")
        data = json.loads(rest)
    print(topic + "\t" + json.dumps(data), flush=True)
`

// libzmqPython finds a python3 with pyzmq (Debian: python3-zmq, which
// brings libzmq).
func libzmqPython() string {
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import zmq").Run() == nil {
			return py
		}
	}
	return ""
}

// TestZMQLibzmqSubscriber checks wire compatibility with libzmq: a pyzmq
// SUB socket (upstream's subscriber) receives and parses the events.
func TestZMQLibzmqSubscriber(t *testing.T) {
	py := libzmqPython()
	if py == "" {
		t.Skip("no python3 with pyzmq (Debian package python3-zmq); the pure-Go SUB tests still run")
	}
	z, err := NewZMQ("tcp://127.0.0.1:0", "moniker", 100)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", subscriberPy, "tcp://"+z.Publisher().Addr().String(), "moniker", strconv.Itoa(n))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Wait() }()
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("subscriber did not start: %q", lines.Text())
	}
	waitFor(t, "the libzmq subscription", func() bool { return z.Publisher().Subscribed("moniker ") })
	em := New(Options{BatchSize: 7, FlushInterval: 10 * time.Millisecond, Sink: z})
	for i := range n {
		e := seqEvent(i, time.Now())
		e.MonikerPath = "prices.equity/X" + strconv.Itoa(i)
		em.Emit(&e)
	}
	for i := range n {
		if !lines.Scan() {
			t.Fatalf("subscriber stopped after %d messages", i)
		}
		topic, body, _ := strings.Cut(lines.Text(), "\t")
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil || topic != "moniker" {
			t.Fatalf("message %d: topic %q, %v: %s", i, topic, err, body)
		}
		if m["request_id"] != strconv.Itoa(i) || m["moniker_path"] != "prices.equity/X"+strconv.Itoa(i) {
			t.Errorf("message %d: %s", i, body)
		}
	}
	closeEmitter(t, em)
}
