;; grid-services
;; Frequency monitoring and paid grid-service requests.
;; An admin posts a request (frequency regulation, peak shaving, ...) and pays
;; for it up front: the payment sits in this contract's escrow. A facility's
;; owner or operator accepts it, which reserves the promised energy in
;; capacity-tracking. On fulfilment an admin scores the delivery; the facility's
;; revenue pool receives payment x performance / 10,000, the requester gets the
;; rest back, and the reservation is released. An open request can be cancelled
;; for a full refund. This contract's STX balance is always exactly the sum of
;; payments of requests that are open or accepted.
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

(define-constant FULL_PERFORMANCE_BPS u10000)

(define-constant STATUS_OPEN "open")
(define-constant STATUS_ACCEPTED "accepted")
(define-constant STATUS_FULFILLED "fulfilled")
(define-constant STATUS_CANCELLED "cancelled")

;; Frequencies in millihertz: 50 Hz = u50000.
(define-data-var frequency-target-mhz uint u50000)
(define-data-var frequency-deadband-mhz uint u200)
(define-data-var last-frequency-mhz uint u0)
(define-data-var last-frequency-at uint u0)

(define-map oracles
  principal
  bool
)

(define-data-var last-request-id uint u0)
(define-data-var escrowed-ustx uint u0)

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

(define-read-only (deviates (frequency-mhz uint))
  (> (distance frequency-mhz (var-get frequency-target-mhz))
    (var-get frequency-deadband-mhz)
  )
)

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

(define-read-only (get-request (request-id uint))
  (map-get? requests request-id)
)

(define-read-only (get-last-request-id)
  (var-get last-request-id)
)

(define-read-only (get-escrowed-ustx)
  (var-get escrowed-ustx)
)

;; Frequency

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

(define-public (set-oracle
    (who principal)
    (enabled bool)
  )
  (begin
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
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
