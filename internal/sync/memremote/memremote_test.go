package memremote_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/sync"
	"github.com/worktime/worktime/internal/sync/memremote"
	"github.com/worktime/worktime/internal/sync/synctest"
)

func TestSuite(t *testing.T) {
	srv := memremote.New()
	synctest.Run(t, synctest.Harness{
		NewUser: func(t *testing.T) sync.Remote {
			tok := uuid.NewString()
			srv.AddToken(uuid.NewString(), tok)
			return srv.Remote(tok)
		},
		Unauthorized: func(t *testing.T) sync.Remote { return srv.Remote("not-a-token") },
	})
}
