;; grid-services
;; Frequency monitoring and paid grid-service requests.
;; An admin posts a request (frequency regulation, peak shaving, ...) and pays
;; for it up front: the payment sits in this contract's escrow. A facility's
;; owner or operator accepts it, which reserves the promised energy in
;; capacity-tracking. On fulfilment an admin scores the delivery; the facility's
;; revenue pool receives payment x performance / 10,000, the requester gets the
;; rest back, and the reservation is released. An open request can be cancelled
;; for a full refund. This contract's STX balance is the sum of the payments of
;; requests that are open or accepted plus what programs hold (escrowed-ustx),
;; more only if STX were sent to it directly.
;;
;; Programs settle fleets per period. An admin creates a program for a product
;; of the catalogue with a schedule (periods of so many Stacks blocks), prices
;; and a budget escrowed in one transfer. Owners or operators enrol facilities
;; with a committed power, which reserves the product's energy headroom in
;; capacity-tracking for the program's life. Enrolments live in cohorts of up to
;; 100 slots, one map entry each, so that settling a cohort for a period reads
;; and writes one entry whatever its size: a settled facility-period costs about
;; a hundredth of a read and a write. The amount of each slot follows from the
;; chain's own figures (committed power, prices) and the posted performance and
;; delivery, and stays in the slot (earned - paid) until distribute-earnings
;; pays the facility's stakeholders through revenue-sharing. The program's
;; escrow is always budget - settled - refunded; the contract's balance is the
;; open and accepted requests' payments plus, per program, budget - paid -
;; refunded.
;;
;; Errors: u4000-u4099.

(define-constant ERR_NOT_ADMIN (err u4000))
(define-constant ERR_NOT_REPORTER (err u4001))
(define-constant ERR_INVALID_FREQUENCY (err u4002))
(define-constant ERR_INVALID_DEADBAND (err u4003))
(define-constant ERR_INVALID_SERVICE_TYPE (err u4004))
(define-constant ERR_INVALID_POWER (err u4005))
(define-constant ERR_INVALID_ENERGY (err u4006))
(define-constant ERR_INVALID_PAYMENT (err u4007))
(define-constant ERR_INVALID_EXPIRY (err u4008))
(define-constant ERR_REQUEST_NOT_FOUND (err u4009))
(define-constant ERR_REQUEST_NOT_OPEN (err u4010))
(define-constant ERR_REQUEST_EXPIRED (err u4011))
(define-constant ERR_NOT_AUTHORIZED (err u4012))
(define-constant ERR_FACILITY_NOT_APPROVED (err u4013))
(define-constant ERR_INSUFFICIENT_CAPACITY (err u4014))
(define-constant ERR_INSUFFICIENT_POWER (err u4015))
(define-constant ERR_REQUEST_NOT_ACCEPTED (err u4016))
(define-constant ERR_INVALID_PERFORMANCE (err u4017))
(define-constant ERR_INSUFFICIENT_FUNDS (err u4018))
(define-constant ERR_INVALID_PRODUCT (err u4019))
(define-constant ERR_INVALID_SCHEDULE (err u4020))
(define-constant ERR_INVALID_PRICE (err u4021))
(define-constant ERR_INVALID_BUDGET (err u4022))
(define-constant ERR_PROGRAM_NOT_FOUND (err u4023))
(define-constant ERR_PROGRAM_NOT_ACTIVE (err u4024))
(define-constant ERR_ENROLMENT_CLOSED (err u4025))
(define-constant ERR_ALREADY_ENROLLED (err u4026))
(define-constant ERR_NOT_ENROLLED (err u4027))
(define-constant ERR_INVALID_PERIOD (err u4028))
(define-constant ERR_PERIOD_NOT_ENDED (err u4029))
(define-constant ERR_SETTLEMENT_CLOSED (err u4030))
(define-constant ERR_PERIOD_ALREADY_SETTLED (err u4031))
(define-constant ERR_COHORT_NOT_FOUND (err u4032))
(define-constant ERR_LINES_MISMATCH (err u4033))
(define-constant ERR_NOT_ENROLLED_IN_PERIOD (err u4034))
(define-constant ERR_DELIVERY_EXCEEDS_RESERVATION (err u4035))
(define-constant ERR_BUDGET_EXCEEDED (err u4036))
(define-constant ERR_PROGRAM_NOT_CLOSABLE (err u4037))
(define-constant ERR_PROGRAM_STARTED (err u4038))
(define-constant ERR_AMOUNT_EXCEEDS_EARNINGS (err u4039))
(define-constant ERR_NOTHING_TO_DISTRIBUTE (err u4040))
(define-constant ERR_ALREADY_WITHDRAWN (err u4041))
(define-constant ERR_NOTHING_TO_RELEASE (err u4042))
(define-constant ERR_NOT_PROGRAM_OPERATOR (err u4043))
(define-constant ERR_PROGRAM_STILL_ACTIVE (err u4044))

(define-constant FULL_PERFORMANCE_BPS u10000)

(define-constant STATUS_OPEN "open")
(define-constant STATUS_ACCEPTED "accepted")
(define-constant STATUS_FULFILLED "fulfilled")
(define-constant STATUS_CANCELLED "cancelled")
(define-constant STATUS_ACTIVE "active")
(define-constant STATUS_CLOSED "closed")

(define-constant COHORT_SIZE u100)
(define-constant MAX_PERIODS u100000)

;; Frequencies in millihertz: 50 Hz = u50000.
;; Invariant: frequency-target-mhz > 0.
(define-data-var frequency-target-mhz uint u50000)
;; Invariant: frequency-deadband-mhz < frequency-target-mhz.
(define-data-var frequency-deadband-mhz uint u200)
;; Invariant: the last reading reported, above zero once any was (u0 before).
(define-data-var last-frequency-mhz uint u0)
;; Invariant: the height of the last reading (u0 before the first).
(define-data-var last-frequency-at uint u0)

;; Invariant: every entry is true (disabling deletes it).
(define-map oracles
  principal
  bool
)

;; Invariant: the highest request id given out; ids are never reused.
(define-data-var last-request-id uint u0)
;; Invariant: the payments of open and accepted requests plus, per program,
;; budget - paid - refunded: what this contract owes, which its STX balance
;; covers exactly (more only if STX were sent to it directly).
(define-data-var escrowed-ustx uint u0)

;; Invariant: the keys are exactly 1..last-request-id, each inserted once and
;; never deleted. power-kw, energy-kwh and payment are above zero. status moves
;; only open -> accepted -> fulfilled or open -> cancelled; facility-id is some
;; from acceptance on, performance-bps once fulfilled; payout + refund = payment
;; once fulfilled, refund = payment once cancelled, both u0 before.
(define-map requests
  uint
  {
    service-type: (string-ascii 32),
    power-kw: uint,
    energy-kwh: uint,
    payment: uint,
    requester: principal,
    expires-at: uint,
    status: (string-ascii 16),
    facility-id: (optional uint),
    performance-bps: (optional uint),
    payout: uint,
    refund: uint,
    created-at: uint,
    updated-at: uint,
  }
)

;; Read-only

(define-private (is-admin (who principal))
  (contract-call? .facility-registry is-admin who)
)

;; Whether `who` is a registered oracle.
(define-read-only (is-oracle (who principal))
  (default-to false (map-get? oracles who))
)

(define-private (distance
    (a uint)
    (b uint)
  )
  (if (> a b)
    (- a b)
    (- b a)
  )
)

;; Whether a reading lies outside target +/- deadband.
(define-read-only (deviates (frequency-mhz uint))
  (> (distance frequency-mhz (var-get frequency-target-mhz))
    (var-get frequency-deadband-mhz)
  )
)

;; The target, the deadband and the last reading, and whether it deviates.
(define-read-only (get-frequency-status)
  {
    target-mhz: (var-get frequency-target-mhz),
    deadband-mhz: (var-get frequency-deadband-mhz),
    last-reading-mhz: (var-get last-frequency-mhz),
    last-reading-at: (var-get last-frequency-at),
    deviating: (and
      (> (var-get last-frequency-mhz) u0)
      (deviates (var-get last-frequency-mhz))
    ),
  }
)

;; The request with this id, or none.
(define-read-only (get-request (request-id uint))
  (map-get? requests request-id)
)

;; The highest request id given out.
(define-read-only (get-last-request-id)
  (var-get last-request-id)
)

;; What the contract holds for open and accepted requests and for programs.
(define-read-only (get-escrowed-ustx)
  (var-get escrowed-ustx)
)

;; Frequency

;; set-frequency-target
;; Caller: an admin of facility-registry (contract-caller).
;; Checks, in order:
;;   contract-caller is an admin       ERR_NOT_ADMIN (err u4000)
;;   target-mhz > 0                    ERR_INVALID_FREQUENCY (err u4002)
;;   deadband-mhz < target-mhz         ERR_INVALID_DEADBAND (err u4003)
;; Changes: frequency-target-mhz, frequency-deadband-mhz.
;; Prints frequency-target-set {target-mhz, deadband-mhz, by}. Returns (ok true).
(define-public (set-frequency-target
    (target-mhz uint)
    (deadband-mhz uint)
  )
  (begin
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (> target-mhz u0) ERR_INVALID_FREQUENCY)
    (asserts! (< deadband-mhz target-mhz) ERR_INVALID_DEADBAND)
    (var-set frequency-target-mhz target-mhz)
    (var-set frequency-deadband-mhz deadband-mhz)
    (print {
      topic: "frequency-target-set",
      target-mhz: target-mhz,
      deadband-mhz: deadband-mhz,
      by: contract-caller,
    })
    (ok true)
  )
)

;; set-oracle
;; Caller: an admin of facility-registry (contract-caller).
;; Checks: contract-caller is an admin  ERR_NOT_ADMIN (err u4000)
;; Changes: enabled adds `who` to oracles, disabled deletes it.
;; Prints oracle-set {oracle, enabled}. Returns (ok true).
(define-public (set-oracle
    (who principal)
    (enabled bool)
  )
  (begin
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    ;; An admin may name any principal an oracle: the admin check above is the
    ;; check.
    ;; #[allow(unchecked_data)]
    (if enabled
      (map-set oracles who true)
      (map-delete oracles who)
    )
    (print {
      topic: "oracle-set",
      oracle: who,
      enabled: enabled,
    })
    (ok true)
  )
)

;; report-frequency
;; Caller: an admin or a registered oracle (contract-caller).
;; Checks, in order:
;;   contract-caller may report        ERR_NOT_REPORTER (err u4001)
;;   frequency-mhz > 0                 ERR_INVALID_FREQUENCY (err u4002)
;; Changes: last-frequency-mhz, last-frequency-at.
;; Prints frequency-deviation when the reading deviates, else frequency-reported,
;; {frequency-mhz, target-mhz, deadband-mhz, deviation-mhz, deviating, reporter}.
;; Returns (ok deviating).
(define-public (report-frequency (frequency-mhz uint))
  (let ((deviating (deviates frequency-mhz)))
    (asserts! (or (is-admin contract-caller) (is-oracle contract-caller))
      ERR_NOT_REPORTER
    )
    (asserts! (> frequency-mhz u0) ERR_INVALID_FREQUENCY)
    (var-set last-frequency-mhz frequency-mhz)
    (var-set last-frequency-at stacks-block-height)
    (print {
      topic: (if deviating
        "frequency-deviation"
        "frequency-reported"
      ),
      frequency-mhz: frequency-mhz,
      target-mhz: (var-get frequency-target-mhz),
      deadband-mhz: (var-get frequency-deadband-mhz),
      deviation-mhz: (distance frequency-mhz (var-get frequency-target-mhz)),
      deviating: deviating,
      reporter: contract-caller,
    })
    (ok deviating)
  )
)

;; Service requests

;; create-service-request
;; Caller: an admin (contract-caller); tx-sender pays and is the requester.
;; Checks, in order:
;;   contract-caller is an admin       ERR_NOT_ADMIN (err u4000)
;;   service-type is not empty         ERR_INVALID_SERVICE_TYPE (err u4004)
;;   power-kw > 0                      ERR_INVALID_POWER (err u4005)
;;   energy-kwh > 0                    ERR_INVALID_ENERGY (err u4006)
;;   payment > 0                       ERR_INVALID_PAYMENT (err u4007)
;;   expires-at > the current height   ERR_INVALID_EXPIRY (err u4008)
;;   tx-sender pays payment into escrow  ERR_INSUFFICIENT_FUNDS (err u4018)
;; Changes: requests gets an open request under last-request-id + 1, which
;; becomes last-request-id; escrowed-ustx + payment.
;; Prints service-requested {request-id, service-type, power-kw, energy-kwh,
;; payment, requester, expires-at}. Returns (ok request-id).
(define-public (create-service-request
    (service-type (string-ascii 32))
    (power-kw uint)
    (energy-kwh uint)
    (payment uint)
    (expires-at uint)
  )
  (let ((request-id (+ (var-get last-request-id) u1)))
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (> (len service-type) u0) ERR_INVALID_SERVICE_TYPE)
    (asserts! (> power-kw u0) ERR_INVALID_POWER)
    (asserts! (> energy-kwh u0) ERR_INVALID_ENERGY)
    (asserts! (> payment u0) ERR_INVALID_PAYMENT)
    (asserts! (> expires-at stacks-block-height) ERR_INVALID_EXPIRY)
    ;; The other checks rule out every other transfer failure, and a bare
    ;; (err u1) would not say which contract refused.
    (unwrap! (stx-transfer? payment tx-sender current-contract)
      ERR_INSUFFICIENT_FUNDS
    )
    (map-insert requests request-id {
      service-type: service-type,
      power-kw: power-kw,
      energy-kwh: energy-kwh,
      payment: payment,
      requester: tx-sender,
      expires-at: expires-at,
      status: STATUS_OPEN,
      facility-id: none,
      performance-bps: none,
      payout: u0,
      refund: u0,
      created-at: stacks-block-height,
      updated-at: stacks-block-height,
    })
    (var-set last-request-id request-id)
    (var-set escrowed-ustx (+ (var-get escrowed-ustx) payment))
    (print {
      topic: "service-requested",
      request-id: request-id,
      service-type: service-type,
      power-kw: power-kw,
      energy-kwh: energy-kwh,
      payment: payment,
      requester: tx-sender,
      expires-at: expires-at,
    })
    (ok request-id)
  )
)

;; accept-request
;; Caller: the facility's owner or an enabled operator (contract-caller).
;; Checks, in order:
;;   contract-caller may act for the facility  ERR_NOT_AUTHORIZED (err u4012)
;;   the request exists                ERR_REQUEST_NOT_FOUND (err u4009)
;;   the facility exists               ERR_FACILITY_NOT_APPROVED (err u4013)
;;   the request is open               ERR_REQUEST_NOT_OPEN (err u4010)
;;   current height < expires-at       ERR_REQUEST_EXPIRED (err u4011)
;;   the facility is approved          ERR_FACILITY_NOT_APPROVED (err u4013)
;;   its max-power-kw >= power-kw      ERR_INSUFFICIENT_POWER (err u4015)
;;   its available energy >= energy-kwh  ERR_INSUFFICIENT_CAPACITY (err u4014)
;; Changes: reserves energy-kwh in capacity-tracking (which prints
;; capacity-updated); the request becomes accepted, for the facility.
;; Prints service-accepted {request-id, facility-id, energy-kwh, power-kw,
;; accepted-by}. Returns (ok true).
(define-public (accept-request
    (request-id uint)
    (facility-id uint)
  )
  (begin
    (asserts!
      (contract-call? .facility-registry is-facility-authorized facility-id
        contract-caller
      )
      ERR_NOT_AUTHORIZED
    )
    (let (
        (request (unwrap! (map-get? requests request-id) ERR_REQUEST_NOT_FOUND))
        (facility (unwrap! (contract-call? .facility-registry get-facility facility-id)
          ERR_FACILITY_NOT_APPROVED
        ))
      )
      (asserts! (is-eq (get status request) STATUS_OPEN) ERR_REQUEST_NOT_OPEN)
      (asserts! (< stacks-block-height (get expires-at request)) ERR_REQUEST_EXPIRED)
      (asserts! (is-eq (get status facility) "approved") ERR_FACILITY_NOT_APPROVED)
      (asserts! (>= (get max-power-kw facility) (get power-kw request))
        ERR_INSUFFICIENT_POWER
      )
      (asserts!
        (>= (contract-call? .capacity-tracking get-available-kwh facility-id)
          (get energy-kwh request)
        )
        ERR_INSUFFICIENT_CAPACITY
      )
      (try! (contract-call? .capacity-tracking reserve-capacity facility-id
        (get energy-kwh request)
      ))
      (map-set requests request-id
        (merge request {
          status: STATUS_ACCEPTED,
          facility-id: (some facility-id),
          updated-at: stacks-block-height,
        })
      )
      (print {
        topic: "service-accepted",
        request-id: request-id,
        facility-id: facility-id,
        energy-kwh: (get energy-kwh request),
        power-kw: (get power-kw request),
        accepted-by: contract-caller,
      })
      (ok true)
    )
  )
)

;; fulfill-request
;; Caller: an admin (contract-caller).
;; Checks, in order:
;;   contract-caller is an admin       ERR_NOT_ADMIN (err u4000)
;;   the request exists                ERR_REQUEST_NOT_FOUND (err u4009)
;;   it has a facility and is accepted ERR_REQUEST_NOT_ACCEPTED (err u4016)
;;   performance-bps <= 10,000         ERR_INVALID_PERFORMANCE (err u4017)
;; Changes: releases the reservation in capacity-tracking; deposits payout =
;; payment x performance / 10,000 (rounded down) into the facility's pool
;; through revenue-sharing.deposit-revenue (source "grid-request:<id>") and
;; sends refund = payment - payout back to the requester, each only when above
;; zero; the request becomes fulfilled; escrowed-ustx - payment.
;; Prints service-fulfilled {request-id, facility-id, performance-bps, payment,
;; payout, refund, requester}, after the called contracts' capacity-updated and
;; revenue-deposited. Returns (ok payout).
(define-public (fulfill-request
    (request-id uint)
    (performance-bps uint)
  )
  (begin
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (let (
        (request (unwrap! (map-get? requests request-id) ERR_REQUEST_NOT_FOUND))
        (facility-id (unwrap! (get facility-id request) ERR_REQUEST_NOT_ACCEPTED))
        (payment (get payment request))
        (requester (get requester request))
      )
      (asserts! (is-eq (get status request) STATUS_ACCEPTED) ERR_REQUEST_NOT_ACCEPTED)
      (asserts! (<= performance-bps FULL_PERFORMANCE_BPS) ERR_INVALID_PERFORMANCE)
      (let (
          (payout (/ (* payment performance-bps) FULL_PERFORMANCE_BPS))
          (refund (- payment payout))
        )
        (try! (contract-call? .capacity-tracking release-capacity facility-id
          (get energy-kwh request)
        ))
        (try! (as-contract? ((with-stx payment))
          (if (> payout u0)
            (begin
              (try! (contract-call? .revenue-sharing deposit-revenue facility-id payout
                (concat "grid-request:" (int-to-ascii request-id))
              ))
              true
            )
            true
          )
          (if (> refund u0)
            (try! (stx-transfer? refund current-contract requester))
            true
          )
        ))
        (map-set requests request-id
          (merge request {
            status: STATUS_FULFILLED,
            performance-bps: (some performance-bps),
            payout: payout,
            refund: refund,
            updated-at: stacks-block-height,
          })
        )
        (var-set escrowed-ustx (- (var-get escrowed-ustx) payment))
        (print {
          topic: "service-fulfilled",
          request-id: request-id,
          facility-id: facility-id,
          performance-bps: performance-bps,
          payment: payment,
          payout: payout,
          refund: refund,
          requester: requester,
        })
        (ok payout)
      )
    )
  )
)

;; cancel-request: also once expired.
;; Caller: an admin (contract-caller).
;; Checks, in order:
;;   contract-caller is an admin       ERR_NOT_ADMIN (err u4000)
;;   the request exists                ERR_REQUEST_NOT_FOUND (err u4009)
;;   the request is open               ERR_REQUEST_NOT_OPEN (err u4010)
;; Changes: refunds the whole payment to the requester; the request becomes
;; cancelled with refund = payment; escrowed-ustx - payment.
;; Prints service-cancelled {request-id, refund, requester, expired}.
;; Returns (ok true).
(define-public (cancel-request (request-id uint))
  (begin
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (let (
        (request (unwrap! (map-get? requests request-id) ERR_REQUEST_NOT_FOUND))
        (payment (get payment request))
        (requester (get requester request))
      )
      (asserts! (is-eq (get status request) STATUS_OPEN) ERR_REQUEST_NOT_OPEN)
      (try! (as-contract? ((with-stx payment))
        (try! (stx-transfer? payment current-contract requester))
      ))
      (map-set requests request-id
        (merge request {
          status: STATUS_CANCELLED,
          refund: payment,
          updated-at: stacks-block-height,
        })
      )
      (var-set escrowed-ustx (- (var-get escrowed-ustx) payment))
      (print {
        topic: "service-cancelled",
        request-id: request-id,
        refund: payment,
        requester: requester,
        expired: (>= stacks-block-height (get expires-at request)),
      })
      (ok true)
    )
  )
)

;; Programs

;; Invariant: fixed at deployment; a product's energy headroom is the committed
;; power held for duration-minutes.
(define-map products
  (string-ascii 32)
  {
    unit: (string-ascii 8),
    duration-minutes: uint,
  }
)
(map-insert products "frequency-containment" {
  unit: "kw",
  duration-minutes: u30,
})
(map-insert products "frequency-regulation" {
  unit: "kw",
  duration-minutes: u60,
})
(map-insert products "afrr" {
  unit: "kw",
  duration-minutes: u60,
})
(map-insert products "peak-shaving" {
  unit: "kwh",
  duration-minutes: u120,
})
(map-insert products "demand-response" {
  unit: "kwh",
  duration-minutes: u60,
})

;; Invariant: the highest program id given out; ids are never reused.
(define-data-var last-program-id uint u0)

;; Invariant: the keys are exactly 1..last-program-id, never deleted; status
;; moves only active -> closed or active -> cancelled. settled <= budget -
;; refunded, paid <= settled; settled is the sum of the totals in settlements
;; and paid the sum of the slots' paid; refunded is non-zero only once the
;; program is closed or cancelled.
(define-map programs
  uint
  {
    product: (string-ascii 32),
    operator: principal,
    start-height: uint,
    period-blocks: uint,
    period-count: uint,
    capacity-price: uint,
    energy-price: uint,
    budget: uint,
    settled: uint,
    paid: uint,
    refunded: uint,
    settle-window: uint,
    status: (string-ascii 16),
    cohort-count: uint,
    enrolled-count: uint,
    settlement-count: uint,
    created-at: uint,
  }
)

;; Invariant: every slot's facility has exactly one enrolments entry pointing at
;; it; paid <= earned; a slot earns only in periods from-period <= p < until-period;
;; released is true once its reservation went back to capacity-tracking.
(define-map cohorts
  {
    program-id: uint,
    cohort: uint,
  }
  (list 100 {
    facility-id: uint,
    committed-kw: uint,
    reserved-kwh: uint,
    from-period: uint,
    until-period: uint,
    earned: uint,
    paid: uint,
    released: bool,
  })
)

;; Invariant: written once per facility and program (a withdrawn facility does
;; not enrol again in the same program).
(define-map enrolments
  {
    program-id: uint,
    facility-id: uint,
  }
  {
    cohort: uint,
    slot: uint,
  }
)

;; Invariant: written once per program, cohort and period; total is the sum of
;; the amounts printed with it.
(define-map settlements
  {
    program-id: uint,
    cohort: uint,
    period: uint,
  }
  {
    report-hash: (buff 32),
    total: uint,
    settled-by: principal,
    settled-at: uint,
  }
)

;; A product of the catalogue: its unit and duration, or none.
(define-read-only (get-product (product (string-ascii 32)))
  (map-get? products product)
)

;; The highest program id given out.
(define-read-only (get-last-program-id)
  (var-get last-program-id)
)

;; The program with this id, or none.
(define-read-only (get-program (program-id uint))
  (map-get? programs program-id)
)

;; The slots of a program's cohort, or none.
(define-read-only (get-cohort
    (program-id uint)
    (cohort uint)
  )
  (map-get? cohorts {
    program-id: program-id,
    cohort: cohort,
  })
)

;; Where a facility sits in a program (cohort and slot), or none.
(define-read-only (get-enrolment
    (program-id uint)
    (facility-id uint)
  )
  (map-get? enrolments {
    program-id: program-id,
    facility-id: facility-id,
  })
)

;; The settlement of a program's cohort for a period, or none.
(define-read-only (get-settlement
    (program-id uint)
    (cohort uint)
    (period uint)
  )
  (map-get? settlements {
    program-id: program-id,
    cohort: cohort,
    period: period,
  })
)

;; The period under way at the current block, none before the start; past the
;; end it is period-count or more.
(define-read-only (get-current-period (program-id uint))
  (match (map-get? programs program-id)
    program (if (< stacks-block-height (get start-height program))
      none
      (some (/ (- stacks-block-height (get start-height program))
        (get period-blocks program)
      ))
    )
    none
  )
)

(define-private (end-height (program {
  product: (string-ascii 32),
  operator: principal,
  start-height: uint,
  period-blocks: uint,
  period-count: uint,
  capacity-price: uint,
  energy-price: uint,
  budget: uint,
  settled: uint,
  paid: uint,
  refunded: uint,
  settle-window: uint,
  status: (string-ascii 16),
  cohort-count: uint,
  enrolled-count: uint,
  settlement-count: uint,
  created-at: uint,
}))
  (+ (get start-height program)
    (* (get period-count program) (get period-blocks program))
  )
)

;; create-program
;; Caller: an admin (contract-caller); tx-sender pays the budget and becomes the
;; program's operator.
;; Checks, in order:
;;   contract-caller is an admin       ERR_NOT_ADMIN (err u4000)
;;   the product is in the catalogue   ERR_INVALID_PRODUCT (err u4019)
;;   start-height > the current height, period-blocks > 0,
;;   0 < period-count <= 100,000 and settle-window > 0  ERR_INVALID_SCHEDULE (err u4020)
;;   a price above zero                ERR_INVALID_PRICE (err u4021)
;;   budget > 0                        ERR_INVALID_BUDGET (err u4022)
;;   tx-sender pays budget into escrow ERR_INSUFFICIENT_FUNDS (err u4018)
;; Changes: programs gets an active program under last-program-id + 1, which
;; becomes last-program-id; escrowed-ustx + budget.
;; Prints program-created {program-id, product, operator, start-height,
;; period-blocks, period-count, capacity-price, energy-price, budget,
;; settle-window, end-height}. Returns (ok program-id).
(define-public (create-program
    (product (string-ascii 32))
    (start-height uint)
    (period-blocks uint)
    (period-count uint)
    (capacity-price uint)
    (energy-price uint)
    (budget uint)
    (settle-window uint)
  )
  (let ((program-id (+ (var-get last-program-id) u1)))
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (is-some (map-get? products product)) ERR_INVALID_PRODUCT)
    (asserts!
      (and
        (> start-height stacks-block-height)
        (> period-blocks u0)
        (> period-count u0)
        (<= period-count MAX_PERIODS)
        (> settle-window u0)
      )
      ERR_INVALID_SCHEDULE
    )
    (asserts! (or (> capacity-price u0) (> energy-price u0)) ERR_INVALID_PRICE)
    (asserts! (> budget u0) ERR_INVALID_BUDGET)
    (unwrap! (stx-transfer? budget tx-sender current-contract)
      ERR_INSUFFICIENT_FUNDS
    )
    (map-insert programs program-id {
      product: product,
      operator: tx-sender,
      start-height: start-height,
      period-blocks: period-blocks,
      period-count: period-count,
      capacity-price: capacity-price,
      energy-price: energy-price,
      budget: budget,
      settled: u0,
      paid: u0,
      refunded: u0,
      settle-window: settle-window,
      status: STATUS_ACTIVE,
      cohort-count: u0,
      enrolled-count: u0,
      settlement-count: u0,
      created-at: stacks-block-height,
    })
    (var-set last-program-id program-id)
    (var-set escrowed-ustx (+ (var-get escrowed-ustx) budget))
    (print {
      topic: "program-created",
      program-id: program-id,
      product: product,
      operator: tx-sender,
      start-height: start-height,
      period-blocks: period-blocks,
      period-count: period-count,
      capacity-price: capacity-price,
      energy-price: energy-price,
      budget: budget,
      settle-window: settle-window,
      end-height: (+ start-height (* period-count period-blocks)),
    })
    (ok program-id)
  )
)

;; enrol-facility: the facility earns from the next period (from the first
;; before the start) to the program's end.
;; Caller: the facility's owner or an enabled operator (contract-caller).
;; Checks, in order:
;;   contract-caller may act for the facility  ERR_NOT_AUTHORIZED (err u4012)
;;   the program exists                ERR_PROGRAM_NOT_FOUND (err u4023)
;;   the facility exists               ERR_FACILITY_NOT_APPROVED (err u4013)
;;   the program is active             ERR_PROGRAM_NOT_ACTIVE (err u4024)
;;   a period is left to earn in       ERR_ENROLMENT_CLOSED (err u4025)
;;   the facility is approved          ERR_FACILITY_NOT_APPROVED (err u4013)
;;   committed-kw > 0                  ERR_INVALID_POWER (err u4005)
;;   committed-kw <= its max-power-kw  ERR_INSUFFICIENT_POWER (err u4015)
;;   never enrolled in this program    ERR_ALREADY_ENROLLED (err u4026)
;;   its available energy >= the headroom  ERR_INSUFFICIENT_CAPACITY (err u4014)
;; Changes: reserves the headroom, committed-kw x the product's minutes / 60
;; rounded up, in capacity-tracking (which prints capacity-updated); appends a
;; slot to the last cohort, or opens a cohort when there is none or it holds
;; 100; enrolments; the program's cohort-count and enrolled-count.
;; Prints program-enrolled {program-id, facility-id, committed-kw, reserved-kwh,
;; cohort, slot, from-period, enrolled-by}. Returns (ok {cohort, slot}).
(define-public (enrol-facility
    (program-id uint)
    (facility-id uint)
    (committed-kw uint)
  )
  (begin
    (asserts!
      (contract-call? .facility-registry is-facility-authorized facility-id
        contract-caller
      )
      ERR_NOT_AUTHORIZED
    )
    (let (
        (program (unwrap! (map-get? programs program-id) ERR_PROGRAM_NOT_FOUND))
        (facility (unwrap! (contract-call? .facility-registry get-facility facility-id)
          ERR_FACILITY_NOT_APPROVED
        ))
        (duration (get duration-minutes
          (unwrap-panic (map-get? products (get product program)))
        ))
        (reserved-kwh (/ (+ (* committed-kw duration) u59) u60))
        (from-period (match (get-current-period program-id)
          current (+ current u1)
          u0
        ))
        (last-cohort (if (is-eq (get cohort-count program) u0)
          u0
          (- (get cohort-count program) u1)
        ))
        (last-slots (default-to (list)
          (map-get? cohorts {
            program-id: program-id,
            cohort: last-cohort,
          })
        ))
        (cohort (if (or (is-eq (get cohort-count program) u0)
            (>= (len last-slots) COHORT_SIZE)
          )
          (get cohort-count program)
          last-cohort
        ))
        (slots (if (is-eq cohort last-cohort)
          last-slots
          (list)
        ))
        (slot (len slots))
      )
      (asserts! (is-eq (get status program) STATUS_ACTIVE) ERR_PROGRAM_NOT_ACTIVE)
      (asserts! (< from-period (get period-count program)) ERR_ENROLMENT_CLOSED)
      (asserts! (is-eq (get status facility) "approved") ERR_FACILITY_NOT_APPROVED)
      (asserts! (> committed-kw u0) ERR_INVALID_POWER)
      (asserts! (<= committed-kw (get max-power-kw facility)) ERR_INSUFFICIENT_POWER)
      (asserts!
        (is-none (map-get? enrolments {
          program-id: program-id,
          facility-id: facility-id,
        }))
        ERR_ALREADY_ENROLLED
      )
      (asserts!
        (>= (contract-call? .capacity-tracking get-available-kwh facility-id)
          reserved-kwh
        )
        ERR_INSUFFICIENT_CAPACITY
      )
      (try! (contract-call? .capacity-tracking reserve-capacity facility-id reserved-kwh))
      (map-set cohorts {
        program-id: program-id,
        cohort: cohort,
      }
        (unwrap-panic (as-max-len?
          (append slots {
            facility-id: facility-id,
            committed-kw: committed-kw,
            reserved-kwh: reserved-kwh,
            from-period: from-period,
            until-period: (get period-count program),
            earned: u0,
            paid: u0,
            released: false,
          })
          u100
        ))
      )
      (map-insert enrolments {
        program-id: program-id,
        facility-id: facility-id,
      } {
        cohort: cohort,
        slot: slot,
      })
      (map-set programs program-id
        (merge program {
          cohort-count: (if (is-eq cohort (get cohort-count program))
            (+ cohort u1)
            (get cohort-count program)
          ),
          enrolled-count: (+ (get enrolled-count program) u1),
        })
      )
      (print {
        topic: "program-enrolled",
        program-id: program-id,
        facility-id: facility-id,
        committed-kw: committed-kw,
        reserved-kwh: reserved-kwh,
        cohort: cohort,
        slot: slot,
        from-period: from-period,
        enrolled-by: contract-caller,
      })
      (ok {
        cohort: cohort,
        slot: slot,
      })
    )
  )
)

;; withdraw-facility: the facility earns nothing from the period under way on
;; (before the start: nothing at all); what is settled stays its own.
;; Caller: the facility's owner or an enabled operator (contract-caller).
;; Checks, in order:
;;   contract-caller may act for the facility  ERR_NOT_AUTHORIZED (err u4012)
;;   the program exists                ERR_PROGRAM_NOT_FOUND (err u4023)
;;   the facility is enrolled in it    ERR_NOT_ENROLLED (err u4027)
;;   the program is active             ERR_PROGRAM_NOT_ACTIVE (err u4024)
;;   not withdrawn yet                 ERR_ALREADY_WITHDRAWN (err u4041)
;; Changes: releases the slot's reservation in capacity-tracking at once; the
;; slot's until-period becomes the current period (u0 before the start) if that
;; is earlier, and the slot is marked released.
;; Prints program-withdrawn {program-id, facility-id, cohort, slot,
;; until-period, released-kwh, withdrawn-by}. Returns (ok until-period).
(define-public (withdraw-facility
    (program-id uint)
    (facility-id uint)
  )
  (begin
    (asserts!
      (contract-call? .facility-registry is-facility-authorized facility-id
        contract-caller
      )
      ERR_NOT_AUTHORIZED
    )
    (let (
        (program (unwrap! (map-get? programs program-id) ERR_PROGRAM_NOT_FOUND))
        (enrolment (unwrap!
          (map-get? enrolments {
            program-id: program-id,
            facility-id: facility-id,
          })
          ERR_NOT_ENROLLED
        ))
        (key {
          program-id: program-id,
          cohort: (get cohort enrolment),
        })
        (slots (unwrap-panic (map-get? cohorts key)))
        (entry (unwrap-panic (element-at? slots (get slot enrolment))))
        (current (default-to u0 (get-current-period program-id)))
        (until-period (if (< current (get until-period entry))
          current
          (get until-period entry)
        ))
      )
      (asserts! (is-eq (get status program) STATUS_ACTIVE) ERR_PROGRAM_NOT_ACTIVE)
      (asserts! (not (get released entry)) ERR_ALREADY_WITHDRAWN)
      (try! (contract-call? .capacity-tracking release-capacity facility-id
        (get reserved-kwh entry)
      ))
      (map-set cohorts key
        (unwrap-panic (replace-at? slots (get slot enrolment)
          (merge entry {
            until-period: until-period,
            released: true,
          })
        ))
      )
      (print {
        topic: "program-withdrawn",
        program-id: program-id,
        facility-id: facility-id,
        cohort: (get cohort enrolment),
        slot: (get slot enrolment),
        until-period: until-period,
        released-kwh: (get reserved-kwh entry),
        withdrawn-by: contract-caller,
      })
      (ok until-period)
    )
  )
)

;; Settlement maps over the cohort's slots, the posted lines and a list of
;; copies of the period's figures side by side: each step depends on its own
;; slot only, so the cost grows linearly with the cohort, and nothing is read
;; from storage per slot.
(define-private (settle-slot
    (entry {
      facility-id: uint,
      committed-kw: uint,
      reserved-kwh: uint,
      from-period: uint,
      until-period: uint,
      earned: uint,
      paid: uint,
      released: bool,
    })
    (line {
      performance-bps: uint,
      delivered-kwh: uint,
    })
    (terms {
      period: uint,
      capacity-price: uint,
      energy-price: uint,
    })
  )
  (let (
      (performance (get performance-bps line))
      (delivered (get delivered-kwh line))
      (active (and
        (>= (get period terms) (get from-period entry))
        (< (get period terms) (get until-period entry))
      ))
      (verdict (if (> performance FULL_PERFORMANCE_BPS)
        ERR_INVALID_PERFORMANCE
        (if (> delivered (get reserved-kwh entry))
          ERR_DELIVERY_EXCEEDS_RESERVATION
          (if (or active (and (is-eq performance u0) (is-eq delivered u0)))
            (ok true)
            ERR_NOT_ENROLLED_IN_PERIOD
          )
        )
      ))
      (amount (if (is-ok verdict)
        (+
          (/ (* (get committed-kw entry) (get capacity-price terms) performance)
            FULL_PERFORMANCE_BPS
          )
          (* delivered (get energy-price terms))
        )
        u0
      ))
    )
    {
      entry: (merge entry { earned: (+ (get earned entry) amount) }),
      line: {
        facility-id: (get facility-id entry),
        committed-kw: (get committed-kw entry),
        performance-bps: performance,
        delivered-kwh: delivered,
        amount: amount,
      },
      verdict: verdict,
    }
  )
)

(define-private (settled-entry (result {
  entry: {
    facility-id: uint,
    committed-kw: uint,
    reserved-kwh: uint,
    from-period: uint,
    until-period: uint,
    earned: uint,
    paid: uint,
    released: bool,
  },
  line: {
    facility-id: uint,
    committed-kw: uint,
    performance-bps: uint,
    delivered-kwh: uint,
    amount: uint,
  },
  verdict: (response bool uint),
}))
  (get entry result)
)

(define-private (settled-line (result {
  entry: {
    facility-id: uint,
    committed-kw: uint,
    reserved-kwh: uint,
    from-period: uint,
    until-period: uint,
    earned: uint,
    paid: uint,
    released: bool,
  },
  line: {
    facility-id: uint,
    committed-kw: uint,
    performance-bps: uint,
    delivered-kwh: uint,
    amount: uint,
  },
  verdict: (response bool uint),
}))
  (get line result)
)

;; The sum of the amounts and the first refusal, in slot order.
(define-private (add-settled
    (result {
      entry: {
        facility-id: uint,
        committed-kw: uint,
        reserved-kwh: uint,
        from-period: uint,
        until-period: uint,
        earned: uint,
        paid: uint,
        released: bool,
      },
      line: {
        facility-id: uint,
        committed-kw: uint,
        performance-bps: uint,
        delivered-kwh: uint,
        amount: uint,
      },
      verdict: (response bool uint),
    })
    (state {
      total: uint,
      verdict: (response bool uint),
    })
  )
  {
    total: (+ (get total state) (get amount (get line result))),
    verdict: (if (is-err (get verdict state))
      (get verdict state)
      (get verdict result)
    ),
  }
)

;; A list of 128 copies of one value, in seven doublings, to map beside a cohort.
(define-private (copies (terms {
  period: uint,
  capacity-price: uint,
  energy-price: uint,
}))
  (let (
      (c1 (list terms))
      (c2 (concat c1 c1))
      (c4 (concat c2 c2))
      (c8 (concat c4 c4))
      (c16 (concat c8 c8))
      (c32 (concat c16 c16))
      (c64 (concat c32 c32))
    )
    (concat c64 c64)
  )
)

;; settle-period: credits each slot with committed-kw x capacity-price x
;; performance / 10,000 (rounded down) + delivered-kwh x energy-price.
;; Caller: an admin or a registered oracle (contract-caller).
;; Checks, in order:
;;   the program exists                ERR_PROGRAM_NOT_FOUND (err u4023)
;;   contract-caller may report        ERR_NOT_REPORTER (err u4001)
;;   the program is active             ERR_PROGRAM_NOT_ACTIVE (err u4024)
;;   period < period-count             ERR_INVALID_PERIOD (err u4028)
;;   the period has ended              ERR_PERIOD_NOT_ENDED (err u4029)
;;   the settle window is open         ERR_SETTLEMENT_CLOSED (err u4030)
;;   not settled for this period yet   ERR_PERIOD_ALREADY_SETTLED (err u4031)
;;   the cohort exists                 ERR_COHORT_NOT_FOUND (err u4032)
;;   one line per slot                 ERR_LINES_MISMATCH (err u4033)
;;   the first line, in slot order, that breaks a rule:
;;     performance-bps <= 10,000       ERR_INVALID_PERFORMANCE (err u4017)
;;     delivered-kwh <= the slot's reservation  ERR_DELIVERY_EXCEEDS_RESERVATION (err u4035)
;;     nothing for a slot not enrolled in the period  ERR_NOT_ENROLLED_IN_PERIOD (err u4034)
;;   settled + total <= budget - refunded  ERR_BUDGET_EXCEEDED (err u4036)
;; Changes: each slot's earned; settlements gets {report-hash, total,
;; settled-by, settled-at}; the program's settled + total and settlement-count.
;; Prints program-settled {program-id, cohort, period, report-hash, total, lines
;; (every line with its amount), settled-by}. Returns (ok total).
(define-public (settle-period
    (program-id uint)
    (cohort uint)
    (period uint)
    (report-hash (buff 32))
    (lines (list 100 {
      performance-bps: uint,
      delivered-kwh: uint,
    }))
  )
  (let (
      (program (unwrap! (map-get? programs program-id) ERR_PROGRAM_NOT_FOUND))
      (key {
        program-id: program-id,
        cohort: cohort,
      })
      (settlement-key {
        program-id: program-id,
        cohort: cohort,
        period: period,
      })
    )
    (asserts! (or (is-admin contract-caller) (is-oracle contract-caller))
      ERR_NOT_REPORTER
    )
    (asserts! (is-eq (get status program) STATUS_ACTIVE) ERR_PROGRAM_NOT_ACTIVE)
    (asserts! (< period (get period-count program)) ERR_INVALID_PERIOD)
    (asserts!
      (>= stacks-block-height
        (+ (get start-height program) (* (+ period u1) (get period-blocks program)))
      )
      ERR_PERIOD_NOT_ENDED
    )
    (asserts!
      (< stacks-block-height (+ (end-height program) (get settle-window program)))
      ERR_SETTLEMENT_CLOSED
    )
    (asserts! (is-none (map-get? settlements settlement-key))
      ERR_PERIOD_ALREADY_SETTLED
    )
    (let ((slots (unwrap! (map-get? cohorts key) ERR_COHORT_NOT_FOUND)))
      ;; Before the map: over an empty list beside a full one it fails without a code.
      (asserts! (is-eq (len lines) (len slots)) ERR_LINES_MISMATCH)
      (let (
        (results (map settle-slot slots lines
          (copies {
            period: period,
            capacity-price: (get capacity-price program),
            energy-price: (get energy-price program),
          })
        ))
        (summary (fold add-settled results {
          total: u0,
          verdict: (ok true),
        }))
        (total (get total summary))
      )
      (try! (get verdict summary))
      (asserts!
        (<= (+ (get settled program) total)
          (- (get budget program) (get refunded program))
        )
        ERR_BUDGET_EXCEEDED
      )
      (map-set cohorts key (map settled-entry results))
      ;; Any 32 bytes are accepted as the report hash: it only names the
      ;; off-chain report that lists the same lines, and only an admin or an
      ;; oracle gets here.
      ;; #[allow(unchecked_data)]
      (map-insert settlements settlement-key {
        report-hash: report-hash,
        total: total,
        settled-by: contract-caller,
        settled-at: stacks-block-height,
      })
      (map-set programs program-id
        (merge program {
          settled: (+ (get settled program) total),
          settlement-count: (+ (get settlement-count program) u1),
        })
      )
      (print {
        topic: "program-settled",
        program-id: program-id,
        cohort: cohort,
        period: period,
        report-hash: report-hash,
        total: total,
        lines: (map settled-line results),
        settled-by: contract-caller,
      })
      (ok total)
    ))
  )
)

;; Distribution maps over the slots with the stated amounts beside them: each
;; amount moves into its slot's paid, and the non-zero ones become payment lines.
(define-private (pay-slot
    (entry {
      facility-id: uint,
      committed-kw: uint,
      reserved-kwh: uint,
      from-period: uint,
      until-period: uint,
      earned: uint,
      paid: uint,
      released: bool,
    })
    (amount uint)
  )
  {
    entry: (merge entry { paid: (+ (get paid entry) amount) }),
    line: {
      facility-id: (get facility-id entry),
      amount: amount,
    },
    valid: (<= amount (- (get earned entry) (get paid entry))),
  }
)

(define-private (paid-entry (result {
  entry: {
    facility-id: uint,
    committed-kw: uint,
    reserved-kwh: uint,
    from-period: uint,
    until-period: uint,
    earned: uint,
    paid: uint,
    released: bool,
  },
  line: {
    facility-id: uint,
    amount: uint,
  },
  valid: bool,
}))
  (get entry result)
)

(define-private (paid-line (result {
  entry: {
    facility-id: uint,
    committed-kw: uint,
    reserved-kwh: uint,
    from-period: uint,
    until-period: uint,
    earned: uint,
    paid: uint,
    released: bool,
  },
  line: {
    facility-id: uint,
    amount: uint,
  },
  valid: bool,
}))
  (get line result)
)

(define-private (has-amount (line {
  facility-id: uint,
  amount: uint,
}))
  (> (get amount line) u0)
)

(define-private (add-paid
    (result {
      entry: {
        facility-id: uint,
        committed-kw: uint,
        reserved-kwh: uint,
        from-period: uint,
        until-period: uint,
        earned: uint,
        paid: uint,
        released: bool,
      },
      line: {
        facility-id: uint,
        amount: uint,
      },
      valid: bool,
    })
    (state {
      total: uint,
      valid: bool,
    })
  )
  {
    total: (+ (get total state) (get amount (get line result))),
    valid: (and (get valid state) (get valid result)),
  }
)

;; distribute-earnings: pays stated amounts of what slots earned, so this
;; contract sends exactly their sum whatever settles meanwhile.
;; Caller: an admin (contract-caller).
;; Checks, in order:
;;   the program exists                ERR_PROGRAM_NOT_FOUND (err u4023)
;;   the cohort exists                 ERR_COHORT_NOT_FOUND (err u4032)
;;   contract-caller is an admin       ERR_NOT_ADMIN (err u4000)
;;   one amount per slot               ERR_LINES_MISMATCH (err u4033)
;;   each amount <= earned - paid      ERR_AMOUNT_EXCEEDS_EARNINGS (err u4039)
;;   a total above zero                ERR_NOTHING_TO_DISTRIBUTE (err u4040)
;;   then revenue-sharing.distribute-payments refuses a facility without shares
;;   (err u5007), or with this contract among its stakeholders (err u5011).
;; Changes: pays the non-zero amounts to the facilities' stakeholders through
;; revenue-sharing.distribute-payments (source "program:<id>", which prints
;; revenue-paid and revenue-distributed); the slots' paid; the program's paid +
;; total; escrowed-ustx - total.
;; Prints program-earnings-distributed {program-id, cohort, total, amounts,
;; distributed-by}. Returns (ok total).
(define-public (distribute-earnings
    (program-id uint)
    (cohort uint)
    (amounts (list 100 uint))
  )
  (let (
      (program (unwrap! (map-get? programs program-id) ERR_PROGRAM_NOT_FOUND))
      (key {
        program-id: program-id,
        cohort: cohort,
      })
      (slots (unwrap! (map-get? cohorts key) ERR_COHORT_NOT_FOUND))
      ;; Over an empty list beside a full one the map fails without a code.
      (results (if (is-eq (len amounts) (len slots))
        (map pay-slot slots amounts)
        (list)
      ))
      (summary (fold add-paid results {
        total: u0,
        valid: true,
      }))
      (total (get total summary))
    )
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (is-eq (len amounts) (len slots)) ERR_LINES_MISMATCH)
    (asserts! (get valid summary) ERR_AMOUNT_EXCEEDS_EARNINGS)
    (asserts! (> total u0) ERR_NOTHING_TO_DISTRIBUTE)
    (try! (as-contract? ((with-stx total))
      (try! (contract-call? .revenue-sharing distribute-payments
        (concat "program:" (int-to-ascii program-id))
        (filter has-amount (map paid-line results))
      ))
    ))
    (map-set cohorts key (map paid-entry results))
    (map-set programs program-id (merge program { paid: (+ (get paid program) total) }))
    (var-set escrowed-ustx (- (var-get escrowed-ustx) total))
    (print {
      topic: "program-earnings-distributed",
      program-id: program-id,
      cohort: cohort,
      total: total,
      amounts: amounts,
      distributed-by: contract-caller,
    })
    (ok total)
  )
)

(define-private (is-program-operator
    (program {
      product: (string-ascii 32),
      operator: principal,
      start-height: uint,
      period-blocks: uint,
      period-count: uint,
      capacity-price: uint,
      energy-price: uint,
      budget: uint,
      settled: uint,
      paid: uint,
      refunded: uint,
      settle-window: uint,
      status: (string-ascii 16),
      cohort-count: uint,
      enrolled-count: uint,
      settlement-count: uint,
      created-at: uint,
    })
    (who principal)
  )
  (or (is-eq who (get operator program)) (is-admin who))
)

;; close-program: once no settlement can land any more, so the refund is exact.
;; Caller: an admin or the program's operator (contract-caller).
;; Checks, in order:
;;   the program exists                ERR_PROGRAM_NOT_FOUND (err u4023)
;;   contract-caller may close it      ERR_NOT_PROGRAM_OPERATOR (err u4043)
;;   the program is active             ERR_PROGRAM_NOT_ACTIVE (err u4024)
;;   the last period has ended, and every cohort has settled every period or
;;   the settle window has passed      ERR_PROGRAM_NOT_CLOSABLE (err u4037)
;; Changes: refunds budget - settled to the operator (when above zero); the
;; program becomes closed with refunded = the refund; escrowed-ustx - refund.
;; Prints program-closed {program-id, refund, settled, operator, closed-by}.
;; Returns (ok refund).
(define-public (close-program (program-id uint))
  (let (
      (program (unwrap! (map-get? programs program-id) ERR_PROGRAM_NOT_FOUND))
      (operator (get operator program))
      (refund (- (get budget program) (get settled program)))
    )
    (asserts! (is-program-operator program contract-caller) ERR_NOT_PROGRAM_OPERATOR)
    (asserts! (is-eq (get status program) STATUS_ACTIVE) ERR_PROGRAM_NOT_ACTIVE)
    (asserts!
      (and
        (>= stacks-block-height (end-height program))
        (or
          (is-eq (get settlement-count program)
            (* (get cohort-count program) (get period-count program))
          )
          (>= stacks-block-height
            (+ (end-height program) (get settle-window program))
          )
        )
      )
      ERR_PROGRAM_NOT_CLOSABLE
    )
    (if (> refund u0)
      (try! (as-contract? ((with-stx refund))
        (try! (stx-transfer? refund current-contract operator))
      ))
      true
    )
    (map-set programs program-id
      (merge program {
        status: STATUS_CLOSED,
        refunded: refund,
      })
    )
    (var-set escrowed-ustx (- (var-get escrowed-ustx) refund))
    (print {
      topic: "program-closed",
      program-id: program-id,
      refund: refund,
      settled: (get settled program),
      operator: operator,
      closed-by: contract-caller,
    })
    (ok refund)
  )
)

;; cancel-program
;; Caller: an admin or the program's operator (contract-caller).
;; Checks, in order:
;;   the program exists                ERR_PROGRAM_NOT_FOUND (err u4023)
;;   contract-caller may cancel it     ERR_NOT_PROGRAM_OPERATOR (err u4043)
;;   the program is active             ERR_PROGRAM_NOT_ACTIVE (err u4024)
;;   the current height < start-height ERR_PROGRAM_STARTED (err u4038)
;; Changes: refunds the whole budget to the operator; the program becomes
;; cancelled with refunded = budget; escrowed-ustx - budget. Reservations stay
;; until release-cohort.
;; Prints program-cancelled {program-id, refund, operator, cancelled-by}.
;; Returns (ok budget).
(define-public (cancel-program (program-id uint))
  (let (
      (program (unwrap! (map-get? programs program-id) ERR_PROGRAM_NOT_FOUND))
      (operator (get operator program))
      (budget (get budget program))
    )
    (asserts! (is-program-operator program contract-caller) ERR_NOT_PROGRAM_OPERATOR)
    (asserts! (is-eq (get status program) STATUS_ACTIVE) ERR_PROGRAM_NOT_ACTIVE)
    (asserts! (< stacks-block-height (get start-height program)) ERR_PROGRAM_STARTED)
    (try! (as-contract? ((with-stx budget))
      (try! (stx-transfer? budget current-contract operator))
    ))
    (map-set programs program-id
      (merge program {
        status: STATUS_CANCELLED,
        refunded: budget,
      })
    )
    (var-set escrowed-ustx (- (var-get escrowed-ustx) budget))
    (print {
      topic: "program-cancelled",
      program-id: program-id,
      refund: budget,
      operator: operator,
      cancelled-by: contract-caller,
    })
    (ok budget)
  )
)

(define-private (release-slot
    (entry {
      facility-id: uint,
      committed-kw: uint,
      reserved-kwh: uint,
      from-period: uint,
      until-period: uint,
      earned: uint,
      paid: uint,
      released: bool,
    })
    (state (response {
      slots: (list 100 {
        facility-id: uint,
        committed-kw: uint,
        reserved-kwh: uint,
        from-period: uint,
        until-period: uint,
        earned: uint,
        paid: uint,
        released: bool,
      }),
      released-kwh: uint,
    } uint))
  )
  (match state
    acc (begin
      (if (get released entry)
        true
        (try! (contract-call? .capacity-tracking release-capacity
          (get facility-id entry) (get reserved-kwh entry)
        ))
      )
      (ok {
        slots: (unwrap-panic (as-max-len? (append (get slots acc) (merge entry { released: true }))
          u100
        )),
        released-kwh: (+ (get released-kwh acc)
          (if (get released entry)
            u0
            (get reserved-kwh entry)
          )),
      })
    )
    failure state
  )
)

;; release-cohort: gives the cohort's reservations back to capacity-tracking.
;; Caller: anyone.
;; Checks, in order:
;;   the program exists                ERR_PROGRAM_NOT_FOUND (err u4023)
;;   the cohort exists                 ERR_COHORT_NOT_FOUND (err u4032)
;;   the program is closed or cancelled  ERR_PROGRAM_STILL_ACTIVE (err u4044)
;;   a slot still held a reservation   ERR_NOTHING_TO_RELEASE (err u4042)
;; Changes: releases every slot's reservation that is not released yet (each
;; through capacity-tracking, which prints capacity-updated) and marks all slots
;; released.
;; Prints program-cohort-released {program-id, cohort, released-kwh}.
;; Returns (ok released-kwh).
(define-public (release-cohort
    (program-id uint)
    (cohort uint)
  )
  (let (
      (program (unwrap! (map-get? programs program-id) ERR_PROGRAM_NOT_FOUND))
      (key {
        program-id: program-id,
        cohort: cohort,
      })
      (slots (unwrap! (map-get? cohorts key) ERR_COHORT_NOT_FOUND))
    )
    (asserts! (not (is-eq (get status program) STATUS_ACTIVE)) ERR_PROGRAM_STILL_ACTIVE)
    (let ((result (try! (fold release-slot slots
        (ok {
          slots: (list),
          released-kwh: u0,
        })
      ))))
      (asserts! (> (get released-kwh result) u0) ERR_NOTHING_TO_RELEASE)
      (map-set cohorts key (get slots result))
      (print {
        topic: "program-cohort-released",
        program-id: program-id,
        cohort: cohort,
        released-kwh: (get released-kwh result),
      })
      (ok (get released-kwh result))
    )
  )
)
