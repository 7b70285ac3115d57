// Package zmq publishes messages on a ZeroMQ PUB socket. The ZMTP 3
// protocol (handshake, framing, NULL security) is
// github.com/go-zeromq/zmq4's, in pure Go: the binary needs neither cgo
// nor libzmq, and libzmq subscribers (pyzmq, czmq, ...) connect to it as
// to any PUB socket.
//
// The PUB fan-out is ours rather than zmq4's PUB socket, to get what a
// libzmq PUB does and zmq4's does not: a queue per subscriber bounded by
// the high-water mark (a slow subscriber loses its own messages, it does
// not stall the others), and a linger on Close so the messages already
// queued still go out at shutdown.
package zmq

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/security/null"
)

// Linger is how long Close waits for queued messages to be sent.
const Linger = 2 * time.Second

// handshakeTimeout bounds a connecting peer's ZMTP handshake.
const handshakeTimeout = 10 * time.Second

// Publisher is a bound PUB socket.
type Publisher struct {
	ln  net.Listener
	hwm int

	mu     sync.RWMutex
	subs   map[*subscriber]struct{}
	closed bool

	wg sync.WaitGroup // accept loop and connection goroutines
}

// subscriber is one connected peer: its subscriptions and its queue.
type subscriber struct {
	conn *zmq4.Conn
	raw  net.Conn

	mu     sync.RWMutex
	topics []string

	queue chan []byte
	done  chan struct{} // closed when the writer has finished
}

// Listen binds a PUB socket on endpoint: tcp://host:port (host "*" =
// every interface, port 0 = any free port) or ipc:///path. hwm bounds
// each subscriber's queue of unsent messages (0 = 1000); beyond it that
// subscriber's new messages are dropped, as a PUB socket does.
func Listen(endpoint string, hwm int) (*Publisher, error) {
	network, addr, err := parseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	if hwm <= 0 {
		hwm = 1000
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, fmt.Errorf("zmq: bind %s: %w", endpoint, err)
	}
	p := &Publisher{ln: ln, hwm: hwm, subs: map[*subscriber]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

func parseEndpoint(ep string) (network, addr string, err error) {
	scheme, rest, ok := strings.Cut(ep, "://")
	switch {
	case !ok || rest == "":
	case scheme == "tcp":
		host, port, err := net.SplitHostPort(rest)
		if err != nil {
			return "", "", fmt.Errorf("zmq: endpoint %q: %w", ep, err)
		}
		if host == "*" {
			host = ""
		}
		if port == "*" {
			port = "0"
		}
		return "tcp", net.JoinHostPort(host, port), nil
	case scheme == "ipc":
		return "unix", rest, nil
	}
	return "", "", fmt.Errorf("zmq: endpoint %q is not tcp://host:port or ipc://path", ep)
}

// Addr is the bound address (useful with port 0).
func (p *Publisher) Addr() net.Addr { return p.ln.Addr() }

func (p *Publisher) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			time.Sleep(10 * time.Millisecond) // e.g. out of file descriptors
			continue
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// serve runs one peer: handshake, then a writer draining its queue while
// this goroutine reads its subscriptions until the connection ends.
func (p *Publisher) serve(raw net.Conn) {
	defer p.wg.Done()
	_ = raw.SetDeadline(time.Now().Add(handshakeTimeout))
	conn, err := zmq4.Open(raw, null.Security(), zmq4.Pub, nil, true, nil)
	if err != nil {
		_ = raw.Close()
		return
	}
	_ = raw.SetDeadline(time.Time{})
	s := &subscriber{conn: conn, raw: raw, queue: make(chan []byte, p.hwm), done: make(chan struct{})}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_ = raw.Close()
		return
	}
	p.subs[s] = struct{}{}
	p.mu.Unlock()

	go s.write()
	for {
		msg, err := conn.RecvMsg()
		if err != nil {
			break
		}
		s.subscribe(msg)
	}
	// The peer left (or Close closed the connection): forget it.
	p.mu.Lock()
	_, live := p.subs[s]
	delete(p.subs, s)
	p.mu.Unlock()
	if live {
		close(s.queue)
	}
	_ = raw.Close()
	<-s.done
}

// write sends the queued messages until the queue is closed.
func (s *subscriber) write() {
	defer close(s.done)
	for m := range s.queue {
		if err := s.conn.SendMsg(zmq4.NewMsg(m)); err != nil {
			_ = s.raw.Close()
			for range s.queue { // drain so nothing waits on us
			}
			return
		}
	}
}

// subscribe applies a ZMTP 3.0 subscription message: 0x01 + prefix to
// subscribe, 0x00 + prefix to cancel.
func (s *subscriber) subscribe(msg zmq4.Msg) {
	if msg.Type == zmq4.CmdMsg || len(msg.Frames) != 1 || len(msg.Frames[0]) == 0 {
		return
	}
	f := msg.Frames[0]
	topic := string(f[1:])
	s.mu.Lock()
	defer s.mu.Unlock()
	switch f[0] {
	case 1:
		s.topics = append(s.topics, topic)
	case 0:
		for i, t := range s.topics {
			if t == topic {
				s.topics = append(s.topics[:i], s.topics[i+1:]...)
				break
			}
		}
	}
}

// wants reports whether a subscription of s prefixes msg.
func (s *subscriber) wants(msg []byte) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, t := range s.topics {
		if len(msg) >= len(t) && string(msg[:len(t)]) == t {
			return true
		}
	}
	return false
}

// Send queues msg, as one frame, for every subscriber with a matching
// subscription; a subscriber whose queue is full misses it. It reports
// how many subscribers got it. The socket keeps msg until it is sent:
// the caller must not modify it afterwards.
func (p *Publisher) Send(msg []byte) (int, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return 0, errors.New("zmq: publisher closed")
	}
	n := 0
	for s := range p.subs {
		if !s.wants(msg) {
			continue
		}
		select {
		case s.queue <- msg:
			n++
		default:
		}
	}
	return n, nil
}

// Subscribed reports whether some connected subscriber would receive a
// message starting with prefix.
func (p *Publisher) Subscribed(prefix string) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	for s := range p.subs {
		if s.wants([]byte(prefix)) {
			return true
		}
	}
	return false
}

// Close stops accepting subscribers, waits up to Linger for the queued
// messages to be sent, and closes every connection.
func (p *Publisher) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	subs := p.subs
	p.subs = map[*subscriber]struct{}{}
	p.mu.Unlock()
	err := p.ln.Close()
	for s := range subs {
		close(s.queue)
	}
	linger := time.NewTimer(Linger)
	defer linger.Stop()
	for s := range subs {
		select {
		case <-s.done:
		case <-linger.C:
			linger.Reset(0) // the time is up for the others too
		}
		_ = s.raw.Close()
	}
	p.wg.Wait()
	return err
}
