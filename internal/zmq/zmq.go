// Package zmq publishes messages on a ZeroMQ PUB socket. It wraps
// github.com/go-zeromq/zmq4, a pure-Go ZMTP 3 implementation, so the
// binary needs neither cgo nor libzmq; libzmq subscribers (pyzmq,
// czmq, ...) connect to it as to any PUB socket.
package zmq

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/go-zeromq/zmq4"
)

// Publisher is a bound PUB socket. Send queues a message for every
// connected subscriber whose subscription prefixes it; messages beyond
// the high-water mark are dropped, as a PUB socket does.
type Publisher struct {
	sock   zmq4.Socket
	topics zmq4.Topics
	cancel context.CancelFunc
}

// Listen binds a PUB socket on endpoint (tcp://*:5555, tcp://127.0.0.1:0,
// ipc:///path). hwm bounds the messages queued for sending (0 =
// unbounded).
func Listen(endpoint string, hwm int) (*Publisher, error) {
	ctx, cancel := context.WithCancel(context.Background())
	sock := zmq4.NewPub(ctx)
	if err := sock.SetOption(zmq4.OptionHWM, hwm); err != nil {
		cancel()
		_ = sock.Close()
		return nil, fmt.Errorf("zmq: high-water mark %d: %w", hwm, err)
	}
	if err := sock.Listen(endpoint); err != nil {
		cancel()
		_ = sock.Close()
		return nil, fmt.Errorf("zmq: bind %s: %w", endpoint, err)
	}
	topics, _ := sock.(zmq4.Topics)
	return &Publisher{sock: sock, topics: topics, cancel: cancel}, nil
}

// Addr is the bound address (useful with port 0).
func (p *Publisher) Addr() net.Addr { return p.sock.Addr() }

// Send queues msg as a single-frame message. The socket keeps msg until
// it is sent: the caller must not modify it afterwards.
func (p *Publisher) Send(msg []byte) error {
	return p.sock.Send(zmq4.NewMsg(msg))
}

// Subscribed reports whether some connected subscriber would receive a
// message starting with prefix (it subscribed to a prefix of it).
func (p *Publisher) Subscribed(prefix string) bool {
	if p.topics == nil {
		return false
	}
	for _, t := range p.topics.Topics() {
		if strings.HasPrefix(prefix, t) {
			return true
		}
	}
	return false
}

// Close closes the socket and its connections; queued messages not yet
// sent are dropped (PUB delivery is best effort).
func (p *Publisher) Close() error {
	err := p.sock.Close()
	p.cancel()
	return err
}
