;; revenue-sharing
;; Each facility has a revenue pool held by this contract and a split of that
;; pool among its stakeholders in basis points (10,000 = 100 %). Anyone may pay
;; into a pool (grid-services does on fulfilment); the owner, an operator or an
;; admin distributes it. A distribution pays out the whole pool: each
;; stakeholder gets pool x share / 10,000 rounded down, and the rounding
;; remainder goes to the largest share (the first listed on a tie), so not one
;; micro-STX stays behind or is created.
;;
;; Fleets are paid in batches: distribute-payments splits stated amounts that the
;; caller pays (grid-services pays a program's earnings this way) and
;; distribute-pools pays stated amounts out of several pools. A batch stores no
;; row per facility or stakeholder: its print events are the record, and the id
;; counters keep distribution and payment ids unique across all three paths.
;;
;; Errors: u5000-u5099.

(define-constant ERR_NOT_OWNER (err u5000))
(define-constant ERR_FACILITY_NOT_FOUND (err u5001))
(define-constant ERR_SHARES_NOT_FULL (err u5002))
(define-constant ERR_DUPLICATE_STAKEHOLDER (err u5003))
(define-constant ERR_INVALID_SHARE (err u5004))
(define-constant ERR_NO_STAKEHOLDERS (err u5005))
(define-constant ERR_INVALID_AMOUNT (err u5006))
(define-constant ERR_NO_SHARES (err u5007))
(define-constant ERR_EMPTY_POOL (err u5008))
(define-constant ERR_NOT_AUTHORIZED (err u5009))
(define-constant ERR_INVALID_STAKEHOLDER (err u5010))
;; A payout fails when its payer cannot make it: in distribute-payments the
;; caller lacks the STX or is itself a stakeholder of the line's facility. This
;; contract, the payer in distribute-revenue and distribute-pools, is never a
;; stakeholder (set-stakeholder-shares refuses it).
(define-constant ERR_PAYOUT_FAILED (err u5011))
(define-constant ERR_INSUFFICIENT_FUNDS (err u5012))
(define-constant ERR_INSUFFICIENT_POOL (err u5013))
(define-constant ERR_EMPTY_BATCH (err u5014))

(define-constant FULL_SHARE_BPS u10000)

;; Invariant: per facility the versions are exactly 1..current-share-version,
;; each inserted once and never changed, and each split is valid: 1 to 100
;; distinct stakeholders, not this contract, each share 1..10,000 bps, summing
;; to exactly 10,000; set-by was the facility's owner.
(define-map share-versions
  {
    facility-id: uint,
    version: uint,
  }
  {
    shares: (list 100 {
      stakeholder: principal,
      share-bps: uint,
    }),
    set-by: principal,
    set-at: uint,
  }
)
;; Invariant: a facility's latest shares version; no entry means none set (u0).
(define-map current-share-version
  uint
  uint
)
;; Invariant: the entry of a facility equals its share-versions entry at
;; current-share-version; kept so that a batch reads a facility's split once.
(define-map current-shares
  uint
  {
    version: uint,
    shares: (list 100 {
      stakeholder: principal,
      share-bps: uint,
    }),
  }
)

;; Invariant: a facility's deposits not yet paid out by distribute-revenue or
;; distribute-pools. The pools together never exceed this contract's STX
;; balance (they equal it unless STX were sent to it directly).
(define-map pools
  uint
  uint
)
;; Invariant: per facility, everything paid out of its pool (distribute-revenue
;; and distribute-pools; distribute-payments does not draw on pools).
(define-map total-distributed
  uint
  uint
)
;; Invariant: per facility and stakeholder, the sum of distribute-revenue's
;; payments to them (the batches keep no such row).
(define-map stakeholder-earnings
  {
    facility-id: uint,
    stakeholder: principal,
  }
  uint
)

;; Invariant: the highest deposit id given out; ids are never reused.
(define-data-var last-deposit-id uint u0)
;; Invariant: the keys are exactly 1..last-deposit-id, each inserted once and
;; never changed; amount > 0.
(define-map deposits
  uint
  {
    facility-id: uint,
    amount: uint,
    source: (string-ascii 64),
    depositor: principal,
    deposited-at: uint,
  }
)

;; Invariant: the highest distribution id given out by any of the three paths;
;; ids are never reused.
(define-data-var last-distribution-id uint u0)
;; Invariant: distribute-revenue's distributions only, each inserted once; its
;; payments are first-payment-id .. first-payment-id + payment-count - 1, one
;; per stakeholder, and their amounts sum to amount.
(define-map distributions
  uint
  {
    facility-id: uint,
    amount: uint,
    shares-version: uint,
    first-payment-id: uint,
    payment-count: uint,
    distributed-by: principal,
    distributed-at: uint,
  }
)

;; Invariant: the highest payment id given out by any of the three paths; ids
;; are never reused.
(define-data-var last-payment-id uint u0)
;; Invariant: distribute-revenue's payments only, each inserted once, one per
;; stakeholder of the split (an amount of zero included).
(define-map payments
  uint
  {
    distribution-id: uint,
    facility-id: uint,
    stakeholder: principal,
    share-bps: uint,
    amount: uint,
    paid-at: uint,
  }
)

;; Read-only

;; The facility's latest shares version, u0 before any is set.
(define-read-only (get-shares-version (facility-id uint))
  (default-to u0 (map-get? current-share-version facility-id))
)

;; The split a facility had at a version, or none.
(define-read-only (get-shares-at-version
    (facility-id uint)
    (version uint)
  )
  (map-get? share-versions {
    facility-id: facility-id,
    version: version,
  })
)

;; The facility's current split, or none before any is set.
(define-read-only (get-shares (facility-id uint))
  (get-shares-at-version facility-id (get-shares-version facility-id))
)

;; What the facility's pool holds, in micro-STX.
(define-read-only (get-pool-balance (facility-id uint))
  (default-to u0 (map-get? pools facility-id))
)

;; The deposit with this id, or none.
(define-read-only (get-deposit (deposit-id uint))
  (map-get? deposits deposit-id)
)

;; The highest deposit id given out.
(define-read-only (get-last-deposit-id)
  (var-get last-deposit-id)
)

;; distribute-revenue's distribution with this id, or none (batch ids are none).
(define-read-only (get-distribution (distribution-id uint))
  (map-get? distributions distribution-id)
)

;; The highest distribution id given out by any path.
(define-read-only (get-last-distribution-id)
  (var-get last-distribution-id)
)

;; distribute-revenue's payment with this id, or none (batch ids are none).
(define-read-only (get-payment (payment-id uint))
  (map-get? payments payment-id)
)

;; The highest payment id given out by any path.
(define-read-only (get-last-payment-id)
  (var-get last-payment-id)
)

;; Everything paid out of the facility's pool so far.
(define-read-only (get-total-distributed (facility-id uint))
  (default-to u0 (map-get? total-distributed facility-id))
)

;; What distribute-revenue has paid the stakeholder for the facility so far.
(define-read-only (get-stakeholder-earnings
    (facility-id uint)
    (stakeholder principal)
  )
  (default-to u0
    (map-get? stakeholder-earnings {
      facility-id: facility-id,
      stakeholder: stakeholder,
    })
  )
)

;; A split is validated without writing anything: a fold carries the running
;; sum, the position and the first error found. A stakeholder is a duplicate
;; when its first position in the list is not its own.

(define-private (stakeholder-of (entry {
  stakeholder: principal,
  share-bps: uint,
}))
  (get stakeholder entry)
)

(define-private (check-share
    (entry {
      stakeholder: principal,
      share-bps: uint,
    })
    (state {
      stakeholders: (list 100 principal),
      index: uint,
      sum: uint,
      verdict: (response bool uint),
    })
  )
  (let (
      (share (get share-bps entry))
      (first-position (index-of? (get stakeholders state) (get stakeholder entry)))
    )
    {
      stakeholders: (get stakeholders state),
      index: (+ (get index state) u1),
      sum: (+ (get sum state)
        (if (<= share FULL_SHARE_BPS)
          share
          u0
        )),
      verdict: (if (is-err (get verdict state))
        (get verdict state)
        (if (or (is-eq share u0) (> share FULL_SHARE_BPS))
          ERR_INVALID_SHARE
          (if (is-eq (get stakeholder entry) current-contract)
            ERR_INVALID_STAKEHOLDER
            (if (is-eq first-position (some (get index state)))
              (ok true)
              ERR_DUPLICATE_STAKEHOLDER
            )
          )
        )
      ),
    }
  )
)

;; set-stakeholder-shares
;; Caller: the facility's owner (contract-caller).
;; Checks, in order:
;;   the facility exists               ERR_FACILITY_NOT_FOUND (err u5001)
;;   contract-caller is its owner      ERR_NOT_OWNER (err u5000)
;;   at least one share                ERR_NO_STAKEHOLDERS (err u5005)
;;   the first entry, in list order, that breaks a rule:
;;     a share of 1..10,000 bps        ERR_INVALID_SHARE (err u5004)
;;     not this contract               ERR_INVALID_STAKEHOLDER (err u5010)
;;     not listed before               ERR_DUPLICATE_STAKEHOLDER (err u5003)
;;   the shares sum to 10,000          ERR_SHARES_NOT_FULL (err u5002)
;; Changes: share-versions gets the split as version + 1, which becomes the
;; current-share-version and current-shares.
;; Prints shares-updated {facility-id, version, shares}. Returns (ok version).
(define-public (set-stakeholder-shares
    (facility-id uint)
    (shares (list 100 {
      stakeholder: principal,
      share-bps: uint,
    }))
  )
  (let (
      (owner (unwrap! (contract-call? .facility-registry get-facility-owner facility-id)
        ERR_FACILITY_NOT_FOUND
      ))
      (checked (fold check-share shares {
        stakeholders: (map stakeholder-of shares),
        index: u0,
        sum: u0,
        verdict: (ok true),
      }))
      (version (+ (get-shares-version facility-id) u1))
    )
    (asserts! (is-eq contract-caller owner) ERR_NOT_OWNER)
    (asserts! (> (len shares) u0) ERR_NO_STAKEHOLDERS)
    (try! (get verdict checked))
    (asserts! (is-eq (get sum checked) FULL_SHARE_BPS) ERR_SHARES_NOT_FULL)
    (map-insert share-versions {
      facility-id: facility-id,
      version: version,
    } {
      shares: shares,
      set-by: contract-caller,
      set-at: stacks-block-height,
    })
    (map-set current-share-version facility-id version)
    (map-set current-shares facility-id {
      version: version,
      shares: shares,
    })
    (print {
      topic: "shares-updated",
      facility-id: facility-id,
      version: version,
      shares: shares,
    })
    (ok version)
  )
)

;; Deposits

;; deposit-revenue
;; Caller: anyone; tx-sender pays (grid-services does on fulfilment).
;; Checks, in order:
;;   the facility exists               ERR_FACILITY_NOT_FOUND (err u5001)
;;   amount > 0                        ERR_INVALID_AMOUNT (err u5006)
;;   tx-sender pays amount to this contract  ERR_INSUFFICIENT_FUNDS (err u5012)
;; Changes: the facility's pool + amount; deposits gets the deposit under
;; last-deposit-id + 1, which becomes last-deposit-id.
;; Prints revenue-deposited {deposit-id, facility-id, amount, source, depositor,
;; pool-balance}. Returns (ok deposit-id).
(define-public (deposit-revenue
    (facility-id uint)
    (amount uint)
    (source (string-ascii 64))
  )
  (let ((deposit-id (+ (var-get last-deposit-id) u1)))
    ;; Any source label is accepted: it only describes the deposit, which the
    ;; depositor pays with their own STX.
    ;; #[filter(source)]
    (asserts! (is-some (contract-call? .facility-registry get-facility facility-id))
      ERR_FACILITY_NOT_FOUND
    )
    (asserts! (> amount u0) ERR_INVALID_AMOUNT)
    ;; The other checks rule out every other transfer failure, and a bare
    ;; (err u1) would not say which contract refused.
    (unwrap! (stx-transfer? amount tx-sender current-contract)
      ERR_INSUFFICIENT_FUNDS
    )
    (map-set pools facility-id (+ (get-pool-balance facility-id) amount))
    (map-insert deposits deposit-id {
      facility-id: facility-id,
      amount: amount,
      source: source,
      depositor: tx-sender,
      deposited-at: stacks-block-height,
    })
    (var-set last-deposit-id deposit-id)
    (print {
      topic: "revenue-deposited",
      deposit-id: deposit-id,
      facility-id: facility-id,
      amount: amount,
      source: source,
      depositor: tx-sender,
      pool-balance: (get-pool-balance facility-id),
    })
    (ok deposit-id)
  )
)

;; Distribution

(define-private (find-largest
    (entry {
      stakeholder: principal,
      share-bps: uint,
    })
    (state {
      index: uint,
      largest-index: uint,
      largest-share: uint,
      floor-sum: uint,
      pool: uint,
    })
  )
  (let ((share (get share-bps entry)))
    {
      index: (+ (get index state) u1),
      largest-index: (if (> share (get largest-share state))
        (get index state)
        (get largest-index state)
      ),
      largest-share: (if (> share (get largest-share state))
        share
        (get largest-share state)
      ),
      floor-sum: (+ (get floor-sum state) (/ (* (get pool state) share) FULL_SHARE_BPS)),
      pool: (get pool state),
    }
  )
)

(define-private (pay-stakeholder
    (entry {
      stakeholder: principal,
      share-bps: uint,
    })
    (state (response {
      index: uint,
      largest-index: uint,
      remainder: uint,
      pool: uint,
      facility-id: uint,
      distribution-id: uint,
      payment-id: uint,
    } uint))
  )
  (match state
    acc (let (
        (stakeholder (get stakeholder entry))
        (facility-id (get facility-id acc))
        (amount (+ (/ (* (get pool acc) (get share-bps entry)) FULL_SHARE_BPS)
          (if (is-eq (get index acc) (get largest-index acc))
            (get remainder acc)
            u0
          )))
        (payment-id (+ (get payment-id acc) u1))
      )
      (if (> amount u0)
        (unwrap! (stx-transfer? amount current-contract stakeholder)
          ERR_PAYOUT_FAILED
        )
        true
      )
      (map-insert payments payment-id {
        distribution-id: (get distribution-id acc),
        facility-id: facility-id,
        stakeholder: stakeholder,
        share-bps: (get share-bps entry),
        amount: amount,
        paid-at: stacks-block-height,
      })
      (map-set stakeholder-earnings {
        facility-id: facility-id,
        stakeholder: stakeholder,
      }
        (+ (get-stakeholder-earnings facility-id stakeholder) amount)
      )
      (print {
        topic: "revenue-paid",
        payment-id: payment-id,
        distribution-id: (get distribution-id acc),
        facility-id: facility-id,
        stakeholder: stakeholder,
        share-bps: (get share-bps entry),
        amount: amount,
      })
      (ok (merge acc {
        index: (+ (get index acc) u1),
        payment-id: payment-id,
      }))
    )
    failure state
  )
)

;; distribute-revenue: pays out the whole pool.
;; Caller: the facility's owner, an enabled operator or an admin
;; (contract-caller).
;; Checks, in order:
;;   contract-caller may distribute    ERR_NOT_AUTHORIZED (err u5009)
;;   shares are set                    ERR_NO_SHARES (err u5007)
;;   the pool is not empty             ERR_EMPTY_POOL (err u5008)
;; Changes: pays each stakeholder pool x share / 10,000 rounded down from this
;; contract, the remainder to the largest share (the first on a tie); the pool
;; becomes 0; total-distributed + pool; stakeholder-earnings; payments gets one
;; row per stakeholder and distributions one row; the id counters move on.
;; Prints revenue-paid {payment-id, distribution-id, facility-id, stakeholder,
;; share-bps, amount} per stakeholder, then revenue-distributed
;; {distribution-id, facility-id, amount, source "pool", shares-version,
;; first-payment-id, payment-count, distributed-by}. Returns (ok distribution-id).
(define-public (distribute-revenue (facility-id uint))
  (begin
    (asserts!
      (or
        (contract-call? .facility-registry is-facility-authorized facility-id
          contract-caller
        )
        (contract-call? .facility-registry is-admin contract-caller)
      )
      ERR_NOT_AUTHORIZED
    )
    (let (
        (version (get-shares-version facility-id))
        (shares (get shares
          (unwrap! (get-shares-at-version facility-id version) ERR_NO_SHARES)
        ))
        (pool (get-pool-balance facility-id))
        (split (fold find-largest shares {
          index: u0,
          largest-index: u0,
          largest-share: u0,
          floor-sum: u0,
          pool: pool,
        }))
        (distribution-id (+ (var-get last-distribution-id) u1))
        (first-payment-id (+ (var-get last-payment-id) u1))
        (caller contract-caller)
      )
      (asserts! (> pool u0) ERR_EMPTY_POOL)
      (let ((paid (try! (as-contract? ((with-stx pool))
          (try! (fold pay-stakeholder shares
            (ok {
              index: u0,
              largest-index: (get largest-index split),
              remainder: (- pool (get floor-sum split)),
              pool: pool,
              facility-id: facility-id,
              distribution-id: distribution-id,
              payment-id: (var-get last-payment-id),
            })
          ))
        ))))
        (map-set pools facility-id u0)
        (map-set total-distributed facility-id
          (+ (get-total-distributed facility-id) pool)
        )
        (var-set last-payment-id (get payment-id paid))
        (var-set last-distribution-id distribution-id)
        (map-insert distributions distribution-id {
          facility-id: facility-id,
          amount: pool,
          shares-version: version,
          first-payment-id: first-payment-id,
          payment-count: (len shares),
          distributed-by: caller,
          distributed-at: stacks-block-height,
        })
        (print {
          topic: "revenue-distributed",
          distribution-id: distribution-id,
          facility-id: facility-id,
          amount: pool,
          source: "pool",
          shares-version: version,
          first-payment-id: first-payment-id,
          payment-count: (len shares),
          distributed-by: caller,
        })
        (ok distribution-id)
      )
    )
  )
)

;; Batch distribution. Each line pays a stated amount to one facility's
;; stakeholders by its current split, from tx-sender: the caller itself in
;; distribute-payments, this contract in distribute-pools. The accumulator
;; carries the id counters and the first error, so that a bad line aborts the
;; whole batch with its own code.

(define-private (pay-share
    (entry {
      stakeholder: principal,
      share-bps: uint,
    })
    (state (response {
      index: uint,
      largest-index: uint,
      remainder: uint,
      amount: uint,
      facility-id: uint,
      distribution-id: uint,
      payment-id: uint,
    } uint))
  )
  (match state
    acc (let (
        (stakeholder (get stakeholder entry))
        (paid (+ (/ (* (get amount acc) (get share-bps entry)) FULL_SHARE_BPS)
          (if (is-eq (get index acc) (get largest-index acc))
            (get remainder acc)
            u0
          )))
        (payment-id (+ (get payment-id acc) u1))
      )
      (if (> paid u0)
        (unwrap! (stx-transfer? paid tx-sender stakeholder) ERR_PAYOUT_FAILED)
        true
      )
      (print {
        topic: "revenue-paid",
        payment-id: payment-id,
        distribution-id: (get distribution-id acc),
        facility-id: (get facility-id acc),
        stakeholder: stakeholder,
        share-bps: (get share-bps entry),
        amount: paid,
      })
      (ok (merge acc {
        index: (+ (get index acc) u1),
        payment-id: payment-id,
      }))
    )
    failure state
  )
)

(define-private (pay-line
    (line {
      facility-id: uint,
      amount: uint,
    })
    (state (response {
      source: (string-ascii 64),
      distribution-id: uint,
      payment-id: uint,
      caller: principal,
    } uint))
  )
  (match state
    acc (let (
        (facility-id (get facility-id line))
        (amount (get amount line))
        (split (unwrap! (map-get? current-shares facility-id) ERR_NO_SHARES))
        (shares (get shares split))
        (largest (fold find-largest shares {
          index: u0,
          largest-index: u0,
          largest-share: u0,
          floor-sum: u0,
          pool: amount,
        }))
        (distribution-id (+ (get distribution-id acc) u1))
        (first-payment-id (+ (get payment-id acc) u1))
      )
      (asserts! (> amount u0) ERR_INVALID_AMOUNT)
      (let ((paid (try! (fold pay-share shares
          (ok {
            index: u0,
            largest-index: (get largest-index largest),
            remainder: (- amount (get floor-sum largest)),
            amount: amount,
            facility-id: facility-id,
            distribution-id: distribution-id,
            payment-id: (get payment-id acc),
          })
        ))))
        (print {
          topic: "revenue-distributed",
          distribution-id: distribution-id,
          facility-id: facility-id,
          amount: amount,
          source: (get source acc),
          shares-version: (get version split),
          first-payment-id: first-payment-id,
          payment-count: (len shares),
          distributed-by: (get caller acc),
        })
        (ok (merge acc {
          distribution-id: distribution-id,
          payment-id: (get payment-id paid),
        }))
      )
    )
    failure state
  )
)

(define-private (pay-lines
    (source (string-ascii 64))
    (lines (list 100 {
      facility-id: uint,
      amount: uint,
    }))
    (caller principal)
  )
  (let ((paid (try! (fold pay-line lines
      (ok {
        source: source,
        distribution-id: (var-get last-distribution-id),
        payment-id: (var-get last-payment-id),
        caller: caller,
      })
    ))))
    (var-set last-distribution-id (get distribution-id paid))
    (var-set last-payment-id (get payment-id paid))
    (ok (get distribution-id paid))
  )
)

(define-private (line-amount
    (line {
      facility-id: uint,
      amount: uint,
    })
    (sum uint)
  )
  (+ sum (get amount line))
)

;; distribute-payments: splits stated amounts that the caller pays with its own
;; STX (grid-services pays a program's earnings through it).
;; Caller: anyone; tx-sender pays.
;; Checks, in order:
;;   at least one line                 ERR_EMPTY_BATCH (err u5014)
;;   then per line, in order:
;;     shares are set for its facility ERR_NO_SHARES (err u5007)
;;     amount > 0                      ERR_INVALID_AMOUNT (err u5006)
;;     every payout is made            ERR_PAYOUT_FAILED (err u5011)
;; Changes: sends exactly the sum of the lines from tx-sender, each line split
;; as in distribute-revenue; the id counters move on (no rows are stored).
;; Prints, per line, revenue-paid per stakeholder then revenue-distributed with
;; the given source. Returns (ok last-distribution-id).
(define-public (distribute-payments
    (source (string-ascii 64))
    (lines (list 100 {
      facility-id: uint,
      amount: uint,
    }))
  )
  (begin
    (asserts! (> (len lines) u0) ERR_EMPTY_BATCH)
    ;; Any source label is accepted: it only names the batch in the events, and
    ;; the caller pays every line with their own STX.
    ;; #[allow(unchecked_data)]
    (pay-lines source lines contract-caller)
  )
)

(define-private (take-from-pool
    (line {
      facility-id: uint,
      amount: uint,
    })
    (state (response {
      admin: bool,
      caller: principal,
    } uint))
  )
  (match state
    acc (let (
        (facility-id (get facility-id line))
        (pool (get-pool-balance facility-id))
        (amount (get amount line))
      )
      (asserts!
        (or
          (get admin acc)
          (contract-call? .facility-registry is-facility-authorized facility-id
            (get caller acc)
          )
        )
        ERR_NOT_AUTHORIZED
      )
      (asserts! (> amount u0) ERR_INVALID_AMOUNT)
      (asserts! (<= amount pool) ERR_INSUFFICIENT_POOL)
      (map-set pools facility-id (- pool amount))
      (map-set total-distributed facility-id
        (+ (get-total-distributed facility-id) amount)
      )
      (ok acc)
    )
    failure state
  )
)

;; distribute-pools: pays a stated amount out of each listed pool, so that a
;; deposit landing first cannot make the batch abort.
;; Caller: an admin, or the owner or an enabled operator of every listed
;; facility (contract-caller).
;; Checks, in order:
;;   at least one line                 ERR_EMPTY_BATCH (err u5014)
;;   then per line, in order, for all lines:
;;     contract-caller may distribute  ERR_NOT_AUTHORIZED (err u5009)
;;     amount > 0                      ERR_INVALID_AMOUNT (err u5006)
;;     amount <= the pool              ERR_INSUFFICIENT_POOL (err u5013)
;;   then per line: shares are set     ERR_NO_SHARES (err u5007)
;; Changes: each pool - its amount, total-distributed + it; sends exactly the
;; sum of the lines from this contract, each line split as in
;; distribute-revenue; the id counters move on (no rows are stored).
;; Prints as distribute-payments, with source "pool".
;; Returns (ok last-distribution-id).
(define-public (distribute-pools (lines (list 50 {
  facility-id: uint,
  amount: uint,
})))
  (let (
      (caller contract-caller)
      (total (fold line-amount lines u0))
    )
    (asserts! (> (len lines) u0) ERR_EMPTY_BATCH)
    (try! (fold take-from-pool lines
      (ok {
        admin: (contract-call? .facility-registry is-admin caller),
        caller: caller,
      })
    ))
    (as-contract? ((with-stx total))
      (try! (pay-lines "pool" lines caller))
    )
  )
)
