;; capacity-tracking
;; How much energy each facility holds and how much of it is promised.
;; total-kwh is the registered capacity, stored-kwh what the battery holds now,
;; reserved-kwh what accepted grid-service requests have committed. At all times
;; reserved <= stored <= total, and available = stored - reserved.
;; Only grid-services reserves and releases; only charge-discharge moves stored
;; energy on behalf of a flow record.
;;
;; Errors: u2000-u2099.

(define-constant ERR_NOT_AUTHORIZED (err u2000))
(define-constant ERR_FACILITY_NOT_APPROVED (err u2001))
(define-constant ERR_ALREADY_INITIALIZED (err u2002))
(define-constant ERR_NOT_INITIALIZED (err u2003))
(define-constant ERR_STORED_EXCEEDS_TOTAL (err u2004))
(define-constant ERR_BELOW_RESERVED (err u2005))
(define-constant ERR_INSUFFICIENT_AVAILABLE (err u2006))
(define-constant ERR_RELEASE_EXCEEDS_RESERVED (err u2007))
(define-constant ERR_NOT_GRID_SERVICES (err u2008))
(define-constant ERR_NOT_CHARGE_DISCHARGE (err u2009))
(define-constant ERR_INVALID_AMOUNT (err u2010))

;; Invariant: reserved-kwh <= stored-kwh <= total-kwh. An entry exists only for
;; a facility whose owner or operator initialised it while it was approved,
;; with total-kwh its registered capacity; it is inserted once (map-insert
;; refuses a second initialisation), total-kwh never changes, and no entry is
;; ever deleted.
(define-map capacities
  uint
  {
    total-kwh: uint,
    stored-kwh: uint,
    reserved-kwh: uint,
    updated-at: uint,
  }
)

;; Read-only

;; The facility's totals with available-kwh = stored - reserved, or none before
;; initialisation.
(define-read-only (get-capacity (facility-id uint))
  (match (map-get? capacities facility-id)
    capacity (some {
      total-kwh: (get total-kwh capacity),
      stored-kwh: (get stored-kwh capacity),
      reserved-kwh: (get reserved-kwh capacity),
      available-kwh: (- (get stored-kwh capacity) (get reserved-kwh capacity)),
      updated-at: (get updated-at capacity),
    })
    none
  )
)

;; Stored minus reserved energy, u0 before initialisation.
(define-read-only (get-available-kwh (facility-id uint))
  (match (map-get? capacities facility-id)
    capacity (- (get stored-kwh capacity) (get reserved-kwh capacity))
    u0
  )
)

;; Whether the facility's capacity was initialised.
(define-read-only (is-initialized (facility-id uint))
  (is-some (map-get? capacities facility-id))
)

;; Private

;; Writes the facility's new figures and prints capacity-updated {facility-id,
;; reason, total-kwh, stored-kwh, reserved-kwh, available-kwh}; the callers have
;; checked reserved <= stored <= total.
(define-private (save
    (facility-id uint)
    (total-kwh uint)
    (stored-kwh uint)
    (reserved-kwh uint)
    (reason (string-ascii 16))
  )
  (begin
    (map-set capacities facility-id {
      total-kwh: total-kwh,
      stored-kwh: stored-kwh,
      reserved-kwh: reserved-kwh,
      updated-at: stacks-block-height,
    })
    (print {
      topic: "capacity-updated",
      facility-id: facility-id,
      reason: reason,
      total-kwh: total-kwh,
      stored-kwh: stored-kwh,
      reserved-kwh: reserved-kwh,
      available-kwh: (- stored-kwh reserved-kwh),
    })
    true
  )
)

;; Owner and operator

;; initialize-capacity
;; Caller: the facility's owner or an enabled operator (contract-caller, as
;; facility-registry answers).
;; Checks, in order:
;;   the facility exists               ERR_FACILITY_NOT_APPROVED (err u2001)
;;   contract-caller may act for it     ERR_NOT_AUTHORIZED (err u2000)
;;   the facility is approved           ERR_FACILITY_NOT_APPROVED (err u2001)
;;   stored-kwh <= its capacity         ERR_STORED_EXCEEDS_TOTAL (err u2004)
;;   no capacity yet                    ERR_ALREADY_INITIALIZED (err u2002)
;; Changes: capacities gets total = the registered capacity, stored-kwh, no
;; reservation.
;; Prints capacity-initialized {facility-id, total-kwh, stored-kwh, reserved-kwh,
;; available-kwh}. Returns (ok true).
(define-public (initialize-capacity
    (facility-id uint)
    (stored-kwh uint)
  )
  (let ((facility (unwrap! (contract-call? .facility-registry get-facility facility-id)
      ERR_FACILITY_NOT_APPROVED
    )))
    (asserts!
      (contract-call? .facility-registry is-facility-authorized facility-id
        contract-caller
      )
      ERR_NOT_AUTHORIZED
    )
    (asserts! (is-eq (get status facility) "approved") ERR_FACILITY_NOT_APPROVED)
    (asserts! (<= stored-kwh (get capacity-kwh facility)) ERR_STORED_EXCEEDS_TOTAL)
    (asserts!
      (map-insert capacities facility-id {
        total-kwh: (get capacity-kwh facility),
        stored-kwh: stored-kwh,
        reserved-kwh: u0,
        updated-at: stacks-block-height,
      })
      ERR_ALREADY_INITIALIZED
    )
    (print {
      topic: "capacity-initialized",
      facility-id: facility-id,
      total-kwh: (get capacity-kwh facility),
      stored-kwh: stored-kwh,
      reserved-kwh: u0,
      available-kwh: stored-kwh,
    })
    (ok true)
  )
)

;; update-capacity: a meter reading of the stored energy.
;; Caller: the facility's owner or an enabled operator (contract-caller).
;; Checks, in order:
;;   the capacity was initialised       ERR_NOT_INITIALIZED (err u2003)
;;   contract-caller may act for it     ERR_NOT_AUTHORIZED (err u2000)
;;   stored-kwh <= total                ERR_STORED_EXCEEDS_TOTAL (err u2004)
;;   stored-kwh >= reserved             ERR_BELOW_RESERVED (err u2005)
;; Changes: stored-kwh. Prints capacity-updated with reason "reading".
;; Returns (ok true).
(define-public (update-capacity
    (facility-id uint)
    (stored-kwh uint)
  )
  (let ((capacity (unwrap! (map-get? capacities facility-id) ERR_NOT_INITIALIZED)))
    (asserts!
      (contract-call? .facility-registry is-facility-authorized facility-id
        contract-caller
      )
      ERR_NOT_AUTHORIZED
    )
    (asserts! (<= stored-kwh (get total-kwh capacity)) ERR_STORED_EXCEEDS_TOTAL)
    (asserts! (>= stored-kwh (get reserved-kwh capacity)) ERR_BELOW_RESERVED)
    (save facility-id (get total-kwh capacity) stored-kwh
      (get reserved-kwh capacity) "reading"
    )
    (ok true)
  )
)

;; grid-services only

;; reserve-capacity
;; Caller: the grid-services contract (contract-caller).
;; Checks, in order:
;;   contract-caller is grid-services   ERR_NOT_GRID_SERVICES (err u2008)
;;   the capacity was initialised       ERR_NOT_INITIALIZED (err u2003)
;;   energy-kwh > 0                     ERR_INVALID_AMOUNT (err u2010)
;;   energy-kwh <= stored - reserved    ERR_INSUFFICIENT_AVAILABLE (err u2006)
;; Changes: reserved-kwh + energy-kwh. Prints capacity-updated with reason
;; "reserved". Returns (ok true).
(define-public (reserve-capacity
    (facility-id uint)
    (energy-kwh uint)
  )
  (let ((capacity (begin
      (asserts! (is-eq contract-caller .grid-services) ERR_NOT_GRID_SERVICES)
      ;; The calling contract names a facility it checked; the lookup refuses one
      ;; without capacity.
      ;; #[filter(facility-id)]
      (unwrap! (map-get? capacities facility-id) ERR_NOT_INITIALIZED)
    )))
    (asserts! (> energy-kwh u0) ERR_INVALID_AMOUNT)
    (asserts!
      (<= energy-kwh
        (- (get stored-kwh capacity) (get reserved-kwh capacity))
      )
      ERR_INSUFFICIENT_AVAILABLE
    )
    (save facility-id (get total-kwh capacity) (get stored-kwh capacity)
      (+ (get reserved-kwh capacity) energy-kwh) "reserved"
    )
    (ok true)
  )
)

;; release-capacity
;; Caller: the grid-services contract (contract-caller).
;; Checks, in order:
;;   contract-caller is grid-services   ERR_NOT_GRID_SERVICES (err u2008)
;;   the capacity was initialised       ERR_NOT_INITIALIZED (err u2003)
;;   energy-kwh > 0                     ERR_INVALID_AMOUNT (err u2010)
;;   energy-kwh <= reserved             ERR_RELEASE_EXCEEDS_RESERVED (err u2007)
;; Changes: reserved-kwh - energy-kwh. Prints capacity-updated with reason
;; "released". Returns (ok true).
(define-public (release-capacity
    (facility-id uint)
    (energy-kwh uint)
  )
  (let ((capacity (begin
      (asserts! (is-eq contract-caller .grid-services) ERR_NOT_GRID_SERVICES)
      ;; The calling contract names a facility it checked; the lookup refuses one
      ;; without capacity.
      ;; #[filter(facility-id)]
      (unwrap! (map-get? capacities facility-id) ERR_NOT_INITIALIZED)
    )))
    (asserts! (> energy-kwh u0) ERR_INVALID_AMOUNT)
    (asserts! (<= energy-kwh (get reserved-kwh capacity))
      ERR_RELEASE_EXCEEDS_RESERVED
    )
    (save facility-id (get total-kwh capacity) (get stored-kwh capacity)
      (- (get reserved-kwh capacity) energy-kwh) "released"
    )
    (ok true)
  )
)

;; charge-discharge only

;; adjust-stored: a charge adds energy up to the total, a discharge takes only
;; unreserved energy.
;; Caller: the charge-discharge contract (contract-caller).
;; Checks, in order:
;;   contract-caller is charge-discharge      ERR_NOT_CHARGE_DISCHARGE (err u2009)
;;   the capacity was initialised             ERR_NOT_INITIALIZED (err u2003)
;;   energy-kwh > 0                           ERR_INVALID_AMOUNT (err u2010)
;;   charge: energy-kwh <= total - stored     ERR_STORED_EXCEEDS_TOTAL (err u2004)
;;   discharge: energy-kwh <= stored - reserved  ERR_BELOW_RESERVED (err u2005)
;; Changes: stored-kwh. Prints capacity-updated with reason "charge" or
;; "discharge". Returns (ok new-stored-kwh).
(define-public (adjust-stored
    (facility-id uint)
    (energy-kwh uint)
    (is-charge bool)
  )
  (let (
      (capacity (begin
        (asserts! (is-eq contract-caller .charge-discharge) ERR_NOT_CHARGE_DISCHARGE)
        ;; The calling contract names a facility it checked; the lookup refuses one
        ;; without capacity.
        ;; #[filter(facility-id)]
        (unwrap! (map-get? capacities facility-id) ERR_NOT_INITIALIZED)
      ))
      (stored (get stored-kwh capacity))
      (reserved (get reserved-kwh capacity))
    )
    (asserts! (> energy-kwh u0) ERR_INVALID_AMOUNT)
    (if is-charge
      (asserts! (<= energy-kwh (- (get total-kwh capacity) stored))
        ERR_STORED_EXCEEDS_TOTAL
      )
      (asserts! (<= energy-kwh (- stored reserved)) ERR_BELOW_RESERVED)
    )
    (let ((new-stored (if is-charge
        (+ stored energy-kwh)
        (- stored energy-kwh)
      )))
      (save facility-id (get total-kwh capacity) new-stored reserved
        (if is-charge
          "charge"
          "discharge"
        ))
      (ok new-stored)
    )
  )
)
