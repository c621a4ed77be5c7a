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
;; A payout can only fail if the contract paid itself, which set-stakeholder-shares
;; refuses; the code stays named so that a future cause would not surface as u2.
(define-constant ERR_PAYOUT_FAILED (err u5011))
(define-constant ERR_INSUFFICIENT_FUNDS (err u5012))
(define-constant ERR_INSUFFICIENT_POOL (err u5013))
(define-constant ERR_EMPTY_BATCH (err u5014))

(define-constant FULL_SHARE_BPS u10000)

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

(define-map pools
  uint
  uint
)
(define-map total-distributed
  uint
  uint
)
(define-map stakeholder-earnings
  {
    facility-id: uint,
    stakeholder: principal,
  }
  uint
)

(define-data-var last-deposit-id uint u0)
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

(define-data-var last-distribution-id uint u0)
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

(define-data-var last-payment-id uint u0)
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

(define-read-only (get-shares-version (facility-id uint))
  (default-to u0 (map-get? current-share-version facility-id))
)

(define-read-only (get-shares-at-version
    (facility-id uint)
    (version uint)
  )
  (map-get? share-versions {
    facility-id: facility-id,
    version: version,
  })
)

(define-read-only (get-shares (facility-id uint))
  (get-shares-at-version facility-id (get-shares-version facility-id))
)

(define-read-only (get-pool-balance (facility-id uint))
  (default-to u0 (map-get? pools facility-id))
)

(define-read-only (get-deposit (deposit-id uint))
  (map-get? deposits deposit-id)
)

(define-read-only (get-last-deposit-id)
  (var-get last-deposit-id)
)

(define-read-only (get-distribution (distribution-id uint))
  (map-get? distributions distribution-id)
)

(define-read-only (get-last-distribution-id)
  (var-get last-distribution-id)
)

(define-read-only (get-payment (payment-id uint))
  (map-get? payments payment-id)
)

(define-read-only (get-last-payment-id)
  (var-get last-payment-id)
)

(define-read-only (get-total-distributed (facility-id uint))
  (default-to u0 (map-get? total-distributed facility-id))
)

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

(define-public (deposit-revenue
    (facility-id uint)
    (amount uint)
    (source (string-ascii 64))
  )
  (let ((deposit-id (+ (var-get last-deposit-id) u1)))
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

;; distribute-payments: anyone, paying with their own STX (grid-services pays a
;; program's earnings through it). Checks: at least one line; per line an
;; amount above zero and shares set for the facility. Sends exactly the sum of
;; the lines from tx-sender. Prints revenue-distributed per line (with source)
;; and revenue-paid per stakeholder. Returns the last distribution id.
(define-public (distribute-payments
    (source (string-ascii 64))
    (lines (list 100 {
      facility-id: uint,
      amount: uint,
    }))
  )
  (begin
    (asserts! (> (len lines) u0) ERR_EMPTY_BATCH)
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

;; distribute-pools: an admin, or the owner or an operator of every listed
;; facility. Pays a stated amount out of each listed pool, so that a deposit
;; landing first cannot make the batch abort. Checks, per line: authorisation,
;; an amount above zero and at most the pool, shares set. Sends exactly the sum
;; of the lines from this contract. Prints as distribute-payments, with source
;; "pool". Returns the last distribution id.
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
